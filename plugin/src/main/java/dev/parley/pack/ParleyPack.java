package dev.parley.pack;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.parley.head.HeadSpec;
import dev.parley.model.ModelDims;
import dev.parley.sampler.DenoiserBatch;
import dev.parley.style.Adapter;
import dev.parley.style.Style;
import dev.parley.util.AssetFormatException;
import dev.parley.util.Sha256;
import dev.parley.util.Validate;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A loaded model pack: its manifest and open sessions of its graphs (three, four since 1.4.0: the
 * denoiser's audio memory; a distilled denoiser's and a stream model's graphs where the pack has them),
 * each checked at load against the contract its wrapper declares from the manifest's {@link ModelDims}
 * (input and output names, types, ranks and fixed sizes), then probed once: the audio encoder must make one frame per
 * {@code audio.samplesPerFrame} samples, and each denoiser must run the schedule's last timestep. A
 * pack whose files disagree with its manifest fails at load with the file, the field, and what was
 * expected and found, rather than at warm-up or in the middle of a line.
 *
 * <p>The wrappers ({@link #audioEncoder()}, {@link #denoiser()}) reuse native tensors and are not
 * thread-safe: the inference service's worker is their only user. {@link #close()} closes every
 * tensor and session; a closed pack cannot be used again.
 */
public final class ParleyPack implements AutoCloseable {

    /** Distinct adapters one pack merges at most (each a session: the denoiser's weights again, about 5 MB). */
    public static final int MAX_ADAPTERS = 32;

    private static final Logger LOG = Logger.getLogger(ParleyPack.class.getName());
    /** The manifest field that sizes the stream graphs' window. */
    private static final String STREAM_WINDOW = "stream.window";

    private final Path folder;
    private final PackManifest manifest;
    private final InferenceRuntime runtime;
    private final List<OrtSession> sessions = new ArrayList<>();
    private final List<OnnxGraph> graphs = new ArrayList<>();
    private final OnnxAudioEncoder audioEncoder;
    private final OnnxDenoiser denoiser;
    private final OnnxDenoiser distilledDenoiser;
    private final OnnxStyleEncoder styleEncoder;
    private final OnnxAudioMemory memory;
    private final OnnxAudioEncoder streamAudioEncoder;
    private final OnnxDenoiser streamDenoiser;
    private final Map<String, OnnxDenoiser> adapted = new HashMap<>();
    private volatile boolean closed;

    private ParleyPack(Path folder, PackManifest manifest, InferenceRuntime runtime) {
        this.folder = folder;
        this.manifest = manifest;
        this.runtime = runtime;
        PackManifest m = manifest;
        ModelDims dims = m.dims();
        try {
            var env = runtime.environment();
            audioEncoder = keep(new OnnxAudioEncoder(env, open(m.audioEncoderFile()), m.audioEncoderFile(), dims,
                    m.silenceGate()));
            String memoryFile = m.audioMemoryFile();
            memory = memoryFile == null ? null
                    : keep(new OnnxAudioMemory(env, open(memoryFile), memoryFile, dims));
            denoiser = keep(new OnnxDenoiser(env, open(m.denoiserFile()), m.denoiserFile(), dims, memory));
            styleEncoder = keep(new OnnxStyleEncoder(env, open(m.styleEncoderFile()), m.styleEncoderFile(), dims));
            String student = m.distilledDenoiserFile();
            String studentMemoryFile = m.distilledAudioMemoryFile();
            OnnxAudioMemory studentMemory = studentMemoryFile == null ? null
                    : keep(new OnnxAudioMemory(env, open(studentMemoryFile), studentMemoryFile, dims));
            distilledDenoiser = student == null ? null
                    : keep(new OnnxDenoiser(env, open(student), student, dims, studentMemory));
            ModelDims sd = m.streamDims();
            streamAudioEncoder = sd == null ? null : keep(new OnnxAudioEncoder(env, open(m.streamAudioEncoderFile()),
                    m.streamAudioEncoderFile(), sd, m.silenceGate()), STREAM_WINDOW);
            String streamMemoryFile = m.streamAudioMemoryFile();
            OnnxAudioMemory streamMemory = streamMemoryFile == null ? null
                    : keep(new OnnxAudioMemory(env, open(streamMemoryFile), streamMemoryFile, sd), STREAM_WINDOW);
            streamDenoiser = sd == null ? null
                    : keep(new OnnxDenoiser(env, open(m.streamDenoiserFile()), m.streamDenoiserFile(), sd,
                            streamMemory), STREAM_WINDOW);
            checkFrameRate(audioEncoder, m.audioEncoderFile(), dims, "");
            checkSchedule(denoiser, m.denoiserFile(), dims);
            if (distilledDenoiser != null) {
                checkSchedule(distilledDenoiser, student, dims);
            }
            if (sd != null) {
                checkFrameRate(streamAudioEncoder, m.streamAudioEncoderFile(), sd, " / stream.window");
                checkSchedule(streamDenoiser, m.streamDenoiserFile(), sd);
            }
        } catch (RuntimeException e) {
            closeGraphs();
            throw e;
        }
    }

    /**
     * Loads a pack folder: reads {@code manifest.json}, opens the graphs on the runtime's
     * device and checks them against the manifest.
     *
     * @param folder the pack folder, e.g. {@code models/packs/parley-base-v1} (not null)
     * @param runtime where the graphs run (not null)
     * @return an open pack (not null; the caller closes it)
     * @throws AssetFormatException naming the file and field of any problem: a missing folder,
     *     manifest or graph, an invalid manifest, or a graph whose inputs disagree with the manifest
     */
    public static ParleyPack load(Path folder, InferenceRuntime runtime) {
        Validate.nonNull(folder, "folder");
        Validate.nonNull(runtime, "runtime");
        if (!Files.isDirectory(folder)) {
            throw new AssetFormatException(folder.toString(), "", "does not exist: no model pack folder there");
        }
        PackManifest manifest = PackManifest.load(folder.resolve("manifest.json"));
        ParleyPack pack = new ParleyPack(folder, manifest, runtime);
        LOG.info("Parley pack '" + manifest.id() + "' " + manifest.packVersion() + " loaded from " + folder);
        return pack;
    }

    /**
     * Checks that a head can wear this pack's motion (see {@link PackManifest#checkHead}).
     *
     * @param spec the head's spec (not null)
     * @throws AssetFormatException naming the pack, the head and the difference
     */
    public void checkHead(HeadSpec spec) {
        manifest.checkHead(spec);
    }

    /**
     * Checks that a style belongs to this pack (same pack id and embedding dimension).
     *
     * @param style the style (not null)
     * @throws AssetFormatException naming the style file, the field and the mismatch
     */
    public void checkStyle(Style style) {
        Validate.nonNull(style, "style").checkCompatible(manifest.id(), manifest.styleDim());
    }

    /**
     * Extracts a speaking style from a few seconds of motion with the pack's style encoder.
     *
     * @param displayName the style's name shown to people (not null)
     * @param motion de-normalised motion, frame-major [style.frames * motion.dim] (not null, unaffected)
     * @return a new style belonging to this pack (not null)
     */
    public Style extractStyle(String displayName, float[] motion) {
        Validate.nonNull(displayName, "displayName");
        int dim = manifest.motion().dim();
        Validate.length(motion, manifest.dims().styleClipSize(), "motion");
        float[] normalised = new float[motion.length];
        float[] mean = manifest.motionMean();
        float[] std = manifest.motionStd();
        for (int i = 0; i < motion.length; i++) {
            normalised[i] = (motion[i] - mean[i % dim]) / std[i % dim];
        }
        float[] embedding = new float[manifest.styleDim()];
        styleEncoder.encode(normalised, 1, embedding);
        return new Style("extracted by " + manifest.id(), displayName, manifest.id(), embedding);
    }

    /** @return the pack folder (not null) */
    public Path folder() {
        return folder;
    }

    /** @return the manifest (not null) */
    public PackManifest manifest() {
        return manifest;
    }

    /** @return the runtime the graphs run on (not null) */
    public InferenceRuntime runtime() {
        return runtime;
    }

    /** @return the audio encoder (not null; not thread-safe, owned by the pack) */
    public OnnxAudioEncoder audioEncoder() {
        return audioEncoder;
    }

    /** @return the denoiser (not null; not thread-safe, owned by the pack) */
    public OnnxDenoiser denoiser() {
        return denoiser;
    }

    /**
     * @return the distilled, guidance-folded denoiser ({@code models.distilledDenoiser}), or null if the
     *     pack has none (not thread-safe, owned by the pack)
     */
    public OnnxDenoiser distilledDenoiser() {
        return distilledDenoiser;
    }

    /**
     * The pack's denoiser with an expression adapter merged into its weights (W + B^T A per adapted layer,
     * docs/adapters.md): made on first use (the graph read, merged, opened as a new session and run once) and
     * kept, one per distinct adapter ({@link Adapter#id()}), until the pack closes. It shares the pack's audio
     * memory graph, which adapters leave alone.
     *
     * @param adapter the adapter (not null)
     * @return the adapted denoiser (not null; not thread-safe, owned by the pack)
     * @throws AssetFormatException naming the adapter file and field where it was fitted for another pack
     *     (id, version, the denoiser file's SHA-256), or the graph file and layer where it cannot be merged
     * @throws IllegalStateException if the pack is closed or already holds {@link #MAX_ADAPTERS} adapters
     */
    public synchronized OnnxDenoiser adaptedDenoiser(Adapter adapter) {
        Validate.nonNull(adapter, "adapter");
        if (closed) {
            throw new IllegalStateException("the Parley pack '" + manifest.id() + "' is closed");
        }
        OnnxDenoiser d = adapted.get(adapter.id());
        if (d != null) {
            return d;
        }
        if (adapted.size() >= MAX_ADAPTERS) {
            throw new IllegalStateException("the Parley pack '" + manifest.id() + "' already runs " + MAX_ADAPTERS
                    + " distinct adapters: " + adapter.source() + " is not merged");
        }
        String file = manifest.denoiserFile();
        Path path = folder.resolve(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new AssetFormatException(path.toString(), "", "cannot be read: " + e, e);
        }
        adapter.checkPack(manifest.id(), manifest.packVersion(), Sha256.hex(bytes));
        String name = file + " + " + adapter.source();
        OrtSession s = runtime.open(MergedWeights.merge(bytes, path.toString(), adapter), name);
        sessions.add(s);
        d = keep(new OnnxDenoiser(runtime.environment(), s, name, manifest.dims(), memory));
        checkSchedule(d, name, manifest.dims());
        adapted.put(adapter.id(), d);
        LOG.info("Parley: " + adapter.source() + " merged into " + manifest.id() + "'s " + file);
        return d;
    }

    /**
     * @return the streaming model's audio encoder ({@code models.streamAudioEncoder}: features from a window and
     *     its context, docs/model-pack.md), or null if the pack has no stream model (not thread-safe, owned by
     *     the pack)
     */
    public OnnxAudioEncoder streamAudioEncoder() {
        return streamAudioEncoder;
    }

    /**
     * @return the streaming model's denoiser over {@code stream.window} frames (with its audio memory graph), or
     *     null if the pack has no stream model (not thread-safe, owned by the pack)
     */
    public OnnxDenoiser streamDenoiser() {
        return streamDenoiser;
    }

    /** @return the style encoder (not null; thread-safe, owned by the pack) */
    public OnnxStyleEncoder styleEncoder() {
        return styleEncoder;
    }

    /** @return true once {@link #close()} has run */
    public boolean isClosed() {
        return closed;
    }

    /** Closes every tensor and session. Idempotent. Call after the inference worker has stopped. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeGraphs();
    }

    private OrtSession open(String file) {
        Path path = folder.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new AssetFormatException(path.toString(), "", "does not exist (named by " + manifest.source() + ")");
        }
        OrtSession s = runtime.open(path);
        sessions.add(s);
        return s;
    }

    /** Checks a graph against its wrapper's contract and keeps it to close. */
    private <T extends OnnxGraph> T keep(T graph) {
        return keep(graph, "window.current");
    }

    /** {@link #keep(OnnxGraph)} for a graph whose window the manifest sizes in {@code windowField}. */
    private <T extends OnnxGraph> T keep(T graph, String windowField) {
        graphs.add(graph);
        graph.checkContract(folder.resolve(graph.file), manifest.source(), windowField);
        return graph;
    }

    private void closeGraphs() {
        adapted.clear();
        graphs.forEach(OnnxGraph::close);
        graphs.clear();
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                LOG.warning("closing a Parley session failed: " + e.getMessage());
            }
        }
        sessions.clear();
    }

    /**
     * Runs an audio encoder on one window of silence-free test PCM and checks that it makes one feature frame per
     * {@code audio.samplesPerFrame} samples: a manifest whose rate disagrees with the graph's hop fails here,
     * naming the fields, not at the first line.
     *
     * @param windowField how the manifest names the window's frames, after {@code audio.samplesPerFrame}
     */
    private void checkFrameRate(OnnxAudioEncoder encoder, String encoderFile, ModelDims d, String windowField) {
        int samples = d.windowSamples();
        float[] pcm = new float[samples];
        for (int i = 0; i < samples; i++) {
            pcm[i] = 0.1f * (float) Math.sin(i * 0.05);
        }
        String file = folder.resolve(encoderFile).toString();
        String fields = manifest.source() + " fields audio.sampleRate / audio.samplesPerFrame" + windowField + " say "
                + d.sampleRate() + " Hz / " + d.samplesPerFrame() + " (" + d.windowFrames() + " frames)";
        long[] got;
        var env = runtime.environment();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(pcm), new long[] {1, samples});
                OrtSession.RunOptions quiet = quietRun();
                OrtSession.Result r = encoder.session.run(Map.of(OnnxAudioEncoder.PCM, in), quiet)) {
            got = ((TensorInfo) r.get(OnnxAudioEncoder.FEATURES).orElseThrow().getInfo()).getShape();
        } catch (OrtException e) {
            throw new AssetFormatException(file, "", "cannot encode " + samples + " samples, where " + fields + ": "
                    + InferenceRuntime.firstLine(e.getMessage()), e);
        }
        long frames = got.length == 3 ? got[1] : -1;
        if (frames != d.windowFrames()) {
            long perFrame = frames > 0 ? samples / frames : -1;
            throw new AssetFormatException(file, "", "makes " + frames + " frames from " + samples + " samples ("
                    + perFrame + " samples per frame), but " + fields);
        }
    }

    /**
     * Runs a denoiser once at the schedule's last timestep: a manifest whose {@code diffusion.steps}
     * is longer than the graph's schedule fails here, naming the field, not at warm-up.
     */
    private void checkSchedule(OnnxDenoiser graph, String graphFile, ModelDims d) {
        int last = manifest.diffusionSteps() - 1;
        DenoiserBatch b = new DenoiserBatch(1, d);
        b.timestep[0] = last;
        b.audioMask[0] = 1f;
        b.styleMask[0] = 1f;
        b.firstWindow[0] = 1f;
        float[] x0 = new float[b.windowSize()];
        try (OrtSession.RunOptions quiet = quietRun()) {
            graph.predict(b, x0, quiet);
        } catch (OrtException | IllegalStateException e) {
            String file = folder.resolve(graphFile).toString();
            throw new AssetFormatException(file, "", "cannot run timestep " + last + " (the last of "
                    + manifest.source() + " field diffusion.steps = " + (last + 1) + "): the graph's schedule is "
                    + "shorter (ONNX Runtime: " + InferenceRuntime.firstLine(e.getMessage()) + ")", e);
        }
    }

    /** Run options that keep ONNX Runtime's own error log quiet: the probes report their failures themselves. */
    private static OrtSession.RunOptions quietRun() throws OrtException {
        OrtSession.RunOptions o = new OrtSession.RunOptions();
        o.setLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        return o;
    }
}
