package dev.parley.pack;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.parley.head.HeadSpec;
import dev.parley.style.Style;
import dev.parley.util.AssetFormatException;
import dev.parley.util.Validate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A loaded model pack: its manifest and open sessions of its three graphs, each checked against the
 * manifest when the pack is loaded (input and output names, ranks and fixed sizes), so that a pack
 * whose files disagree with its manifest fails at load with the file, the field, and what was
 * expected and found, rather than in the middle of a line.
 *
 * <p>The wrappers ({@link #audioEncoder()}, {@link #denoiser()}) reuse native tensors and are not
 * thread-safe: the inference service's worker is their only user. {@link #close()} closes every
 * tensor and session; a closed pack cannot be used again.
 */
public final class ParleyPack implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ParleyPack.class.getName());

    private final Path folder;
    private final PackManifest manifest;
    private final InferenceRuntime runtime;
    private final List<OrtSession> sessions = new ArrayList<>();
    private final OnnxAudioEncoder audioEncoder;
    private final OnnxDenoiser denoiser;
    private final OnnxStyleEncoder styleEncoder;
    private volatile boolean closed;

    private ParleyPack(Path folder, PackManifest manifest, InferenceRuntime runtime) {
        this.folder = folder;
        this.manifest = manifest;
        this.runtime = runtime;
        PackManifest m = manifest;
        int dim = m.motion().dim();
        try {
            OrtSession audio = open(m.audioEncoderFile());
            expect(audio, m.audioEncoderFile(), true, "pcm", new long[] {-1, -1}, null);
            expect(audio, m.audioEncoderFile(), false, "audio_features", new long[] {-1, -1, m.audioFeatureDim()}, "audio.featureDim");
            OrtSession den = open(m.denoiserFile());
            String d = m.denoiserFile();
            expect(den, d, true, "x_t", new long[] {-1, m.windowFrames(), dim}, "window.current / motion.dim");
            expect(den, d, true, "timestep", new long[] {-1}, null);
            expect(den, d, true, "prev_motion", new long[] {-1, m.previousFrames(), dim}, "window.previous / motion.dim");
            expect(den, d, true, "first_window", new long[] {-1}, null);
            expect(den, d, true, "audio_features", new long[] {-1, m.windowFrames(), m.audioFeatureDim()}, "window.current / audio.featureDim");
            expect(den, d, true, "audio_mask", new long[] {-1}, null);
            expect(den, d, true, "style", new long[] {-1, m.styleDim()}, "style.dim");
            expect(den, d, true, "style_mask", new long[] {-1}, null);
            expect(den, d, true, "shape", new long[] {-1, m.shapeDim()}, "shape.dim");
            expect(den, d, false, "x0", new long[] {-1, m.windowFrames(), dim}, "window.current / motion.dim");
            OrtSession style = open(m.styleEncoderFile());
            expect(style, m.styleEncoderFile(), true, "motion", new long[] {-1, m.styleFrames(), dim}, "style.frames / motion.dim");
            expect(style, m.styleEncoderFile(), false, "style", new long[] {-1, m.styleDim()}, "style.dim");
            var env = runtime.environment();
            audioEncoder = new OnnxAudioEncoder(env, audio, m.audioEncoderFile(), m.samplesPerFrame(), m.audioFeatureDim());
            denoiser = new OnnxDenoiser(env, den, d);
            styleEncoder = new OnnxStyleEncoder(env, style, m.styleEncoderFile(), m.styleFrames(), dim, m.styleDim());
        } catch (RuntimeException e) {
            closeSessions();
            throw e;
        }
    }

    /**
     * Loads a pack folder: reads {@code manifest.json}, opens the three graphs on the runtime's
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
        Validate.length(motion, manifest.styleFrames() * dim, "motion");
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
        audioEncoder.close();
        denoiser.close();
        styleEncoder.close();
        closeSessions();
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

    private void closeSessions() {
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
     * Checks one graph input or output: present, float or int64 tensor, the expected rank, and the
     * expected size on every axis given as non-negative (a negative expectation accepts any size).
     */
    private void expect(OrtSession session, String file, boolean input, String name, long[] shape, String field) {
        Map<String, NodeInfo> infos;
        try {
            infos = input ? session.getInputInfo() : session.getOutputInfo();
        } catch (OrtException e) {
            throw new AssetFormatException(file, "", "cannot be inspected: " + e.getMessage(), e);
        }
        String kind = input ? "input" : "output";
        NodeInfo info = infos.get(name);
        if (info == null) {
            throw new AssetFormatException(folder.resolve(file).toString(), "", "has no " + kind + " '" + name
                    + "' (it has " + new ArrayList<>(infos.keySet()) + "); see docs/model-pack.md");
        }
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new AssetFormatException(folder.resolve(file).toString(), "", kind + " '" + name + "' is not a tensor");
        }
        long[] got = t.getShape();
        boolean ok = got.length == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] < 0 || got[i] < 0 || got[i] == shape[i];
        }
        if (!ok) {
            String from = field == null ? "" : " (from " + manifest.source() + " fields " + field + ")";
            throw new AssetFormatException(folder.resolve(file).toString(), "", kind + " '" + name + "' expected shape "
                    + shapeText(shape) + from + " but got " + shapeText(got));
        }
    }

    private static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

}
