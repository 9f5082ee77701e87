package dev.parley.pose;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.features.AudioEncoder;
import dev.parley.features.SilenceGate;
import dev.parley.head.MotionLayout;
import dev.parley.model.ModelDims;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Sha256;
import dev.parley.util.Validate;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pose adapter (AdaMesh's PoseGPT, docs/adapters.md "Pose adapter"): a character's head pose from the
 * line's speech and a pose style seen in training, instead of the diffusion model's pose. A folder
 * ({@code models/packs/pose-adapter-v1}) holds {@code pose.json}, {@code pose_gpt.onnx} (run once per code,
 * the last position's argmax appended: greedy) and {@code pose_decoder.onnx} (codes to the neck's
 * axis-angle, the motion layout's {@code head} slice, at the motion rate).
 *
 * <p>The graphs read the features of one pack's audio encoder: loading checks the pack's
 * {@code audio_encoder.onnx} against the SHA-256 in {@code pose.json} and opens its own session of it (for
 * {@link #features} and {@link #pose}: tools and tests), behind the pack's silence gate where it has one, as the
 * worker encodes. At run time a character's pose is made on Parley's
 * inference worker ({@link LinePose}), from the features the worker encodes for the line's windows, never on the
 * render thread. One thread at a time: the worker of the service whose characters use it.
 *
 * <pre>
 * PoseAdapter poses = PoseAdapter.load(folder, pack);
 * head.setMotionSource(MotionSource.withHeadPose(MotionSource.model(), poses, poses.styleIndex("spk0009")));
 * </pre>
 */
public final class PoseAdapter implements AutoCloseable {

    /** The manifest's file name in the adapter folder. */
    public static final String MANIFEST = "pose.json";
    /** The manifest's {@code format} tag. */
    public static final String FORMAT = "parley-pose-adapter";
    /** The manifest version this reader understands. */
    public static final int VERSION = 1;
    /** Rows and columns of a style matrix (pose rows by speech columns, docs/adapters.md). */
    public static final int MATRIX_ROWS = 9, MATRIX_COLUMNS = 7;
    /** Values of the head pose per frame: pitch, yaw, roll (radians, axis-angle of the neck). */
    public static final int POSE_DIM = 3;
    /** The graphs' names in {@link #runCounts()}: the adapter's session of the pack's audio encoder. */
    public static final String ENCODER = "audio_encoder";
    /** The step graph's name in {@link #runCounts()}. */
    public static final String GPT = "gpt";
    /** The VQ-VAE decoder's name in {@link #runCounts()}. */
    public static final String DECODER = "decoder";
    /** Largest graph accepted, so a bad manifest cannot make the loader read anything. */
    private static final long MAX_GRAPH_BYTES = 64L << 20;

    private final OrtEnvironment env;
    private final OrtSession gpt;
    private final OrtSession decoder;
    private final OrtSession encoder;
    private final SilenceGate gate; // the pack's, before the encoder as the worker applies it; null for none
    private final String source;
    private final int framesPerCode;
    private final int codes;
    private final int startToken;
    private final int maxCodes;
    private final int featureDim;
    private final int fps;
    private final int sampleRate;
    private final int samplesPerFrame;
    private final int windowFrames;
    private final List<String> names;
    private final float[][] matrices;
    private final float[] scale;
    private final String encoderSha256;
    private final AudioEncoder ownEncoder = this::encodeOwn;
    /** Session runs by "graph@thread" (diagnostics: which threads run the adapter's graphs). */
    private final Map<String, LongAdder> runs = new ConcurrentHashMap<>();

    private PoseAdapter(Path folder, ParleyPack pack) {
        Path file = folder.resolve(MANIFEST);
        source = file.toString();
        JsonNode root = JsonFields.readFile(file, JsonFields::readObject);
        JsonFields f = new JsonFields(source);
        f.formatAndVersion(root, FORMAT, VERSION);
        ModelDims dims = pack.manifest().dims();
        fps = f.integer(root, "fps", "fps");
        expect(fps, pack.manifest().motion().fps(), "fps", "the pack's motion.fps");
        expect(f.integer(root, "audioFeatureDim", "audioFeatureDim"), dims.audioDim(), "audioFeatureDim",
                "the pack's audio.featureDim");
        framesPerCode = positive(f, root, "framesPerCode", 64);
        codes = positive(f, root, "codes", 1 << 16);
        startToken = f.integer(root, "startToken", "startToken");
        expect(startToken, codes, "startToken", "codes");
        maxCodes = positive(f, root, "maxCodes", 1 << 16);
        featureDim = dims.audioDim();
        sampleRate = dims.sampleRate();
        samplesPerFrame = dims.samplesPerFrame();
        windowFrames = dims.windowFrames();
        JsonNode styles = f.require(root, "styles", "styles");
        JsonNode nameNodes = f.array(styles, "names", "styles.names", -1);
        names = new ArrayList<>();
        for (JsonNode n : nameNodes) {
            names.add(n.asText());
        }
        if (names.isEmpty()) {
            throw new AssetFormatException(source, "styles.names", "expected at least one style but got none");
        }
        JsonNode mats = f.array(styles, "matrices", "styles.matrices", names.size());
        matrices = new float[names.size()][];
        for (int s = 0; s < matrices.length; s++) {
            matrices[s] = matrix(f, mats.get(s), "styles.matrices[" + s + "]");
        }
        scale = matrix(f, styles.get("scale"), "styles.scale");
        for (int i = 0; i < scale.length; i++) {
            if (!(scale[i] > 0)) {
                throw new AssetFormatException(source, "styles.scale", "expected positive entries but got "
                        + scale[i] + " at " + i);
            }
        }
        String encoderSha = f.string(f.require(root, "pack", "pack"), "audioEncoderSha256", "pack.audioEncoderSha256");
        encoderSha256 = encoderSha;
        JsonNode graphs = f.require(root, "graphs", "graphs");
        JsonNode sums = f.require(root, "checksums", "checksums");
        env = pack.runtime().environment();
        InferenceRuntime runtime = pack.runtime();
        Path encoderFile = pack.folder().resolve(pack.manifest().audioEncoderFile());
        encoder = runtime.open(checked(encoderFile, encoderSha, "pack.audioEncoderSha256"), encoderFile.toString());
        gate = pack.manifest().silenceGate();
        OrtSession g = null;
        OrtSession d = null;
        try {
            g = open(runtime, folder, f, graphs, sums, "gpt");
            d = open(runtime, folder, f, graphs, sums, "decoder");
            checkNames(g, List.of("tokens", "audio_features", "style"), "logits");
            checkNames(d, List.of("codes"), "pose");
        } catch (RuntimeException e) {
            closeQuietly(g);
            closeQuietly(d);
            closeQuietly(encoder);
            throw e;
        }
        gpt = g;
        decoder = d;
    }

    /**
     * Loads an adapter folder for a pack.
     *
     * @param folder the folder with {@code pose.json} and its graphs (not null)
     * @param pack the pack whose audio encoder the adapter was trained on (not null, open; only read)
     * @return the adapter (not null; close it)
     * @throws AssetFormatException naming the file, the field, expected and got: a bad or missing manifest,
     *     a graph whose checksum differs, a pack with another audio encoder
     */
    public static PoseAdapter load(Path folder, ParleyPack pack) {
        Validate.nonNull(folder, "folder");
        Validate.nonNull(pack, "pack");
        return new PoseAdapter(folder, pack);
    }

    private void expect(int got, int expected, String field, String what) {
        if (got != expected) {
            throw new AssetFormatException(source, field, "expected " + expected + " (" + what + ") but got " + got);
        }
    }

    private int positive(JsonFields f, JsonNode root, String field, int max) {
        int v = f.integer(root, field, field);
        if (v < 1 || v > max) {
            throw new AssetFormatException(source, field, "expected 1 to " + max + " but got " + v);
        }
        return v;
    }

    private float[] matrix(JsonFields f, JsonNode node, String path) {
        if (node == null) {
            throw new AssetFormatException(source, path, "is missing");
        }
        JsonNode rows = f.array(node, path, MATRIX_ROWS);
        float[] out = new float[MATRIX_ROWS * MATRIX_COLUMNS];
        for (int r = 0; r < MATRIX_ROWS; r++) {
            JsonNode row = f.array(rows.get(r), path + "[" + r + "]", MATRIX_COLUMNS);
            for (int c = 0; c < MATRIX_COLUMNS; c++) {
                double v = row.get(c).asDouble(Double.NaN);
                if (!row.get(c).isNumber() || !Double.isFinite(v)) {
                    throw new AssetFormatException(source, path + "[" + r + "][" + c + "]",
                            "expected a finite number but got " + row.get(c));
                }
                out[r * MATRIX_COLUMNS + c] = (float) v;
            }
        }
        return out;
    }

    private byte[] checked(Path file, String expected, String field) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_GRAPH_BYTES) {
                throw new AssetFormatException(file.toString(), "", "is larger than " + MAX_GRAPH_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AssetFormatException(file.toString(), "", "cannot be read: " + e, e);
        }
        String got = Sha256.hex(bytes);
        if (!got.equals(expected)) {
            throw new AssetFormatException(source, field, "expected SHA-256 " + expected + " of " + file
                    + " but got " + got);
        }
        return bytes;
    }

    private OrtSession open(InferenceRuntime runtime, Path folder, JsonFields f, JsonNode graphs, JsonNode sums,
            String key) {
        String name = f.string(graphs, key, "graphs." + key);
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new AssetFormatException(source, "graphs." + key, "expected a file name in the folder but got '"
                    + name + "'");
        }
        String sha = f.string(sums, name, "checksums." + name);
        Path file = folder.resolve(name);
        return runtime.open(checked(file, sha, "checksums." + name), file.toString());
    }

    private void checkNames(OrtSession session, List<String> inputs, String output) {
        if (!session.getInputNames().containsAll(inputs) || !session.getOutputNames().contains(output)) {
            throw new AssetFormatException(source, "graphs", "expected inputs " + inputs + " and output '" + output
                    + "' but a graph has " + session.getInputNames() + " -> " + session.getOutputNames());
        }
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException e) {
                // closing after a failed load: the load's error is the one to report
            }
        }
    }

    /**
     * @return the SHA-256 of the pack audio encoder whose features the graphs read ({@code pack.audioEncoderSha256},
     *     checked against the pack's file at load; not null)
     */
    public String audioEncoderSha256() {
        return encoderSha256;
    }

    /**
     * Whether a pack's audio encoder, as the inference worker runs it on a line's windows, makes the features the
     * graphs read: the same encoder ({@link #audioEncoderSha256}, against the manifest's checksum), rate, frame
     * and window. Then the worker encodes a posed line once, for its pose and its expressions.
     *
     * @param manifest the pack's manifest (not null, unaffected)
     * @return true if its windows' features are the adapter's
     */
    public boolean readsFeaturesOf(PackManifest manifest) {
        ModelDims d = Validate.nonNull(manifest, "manifest").dims();
        return encoderSha256.equals(manifest.audioEncoderSha256()) && d.sampleRate() == sampleRate
                && d.samplesPerFrame() == samplesPerFrame && d.windowFrames() == windowFrames
                && d.audioDim() == featureDim;
    }

    /**
     * Diagnostics: how often each graph ran on each thread since the adapter was loaded, e.g. to check that no
     * pose inference runs on the render thread.
     *
     * @return session runs by {@code "graph@thread name"}, the graph one of {@link #ENCODER}, {@link #GPT},
     *     {@link #DECODER} (a new map, not null)
     */
    public Map<String, Long> runCounts() {
        Map<String, Long> out = new TreeMap<>();
        runs.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** @return the number of training styles (the one-hot's length, &gt;0) */
    public int styleCount() {
        return names.size();
    }

    /** @return the training styles' names, in one-hot order (not null, unmodifiable) */
    public List<String> styleNames() {
        return List.copyOf(names);
    }

    /**
     * @param name a training style's name, e.g. {@code spk0009} (not null)
     * @return its index
     * @throws IllegalArgumentException if no style has that name
     */
    public int styleIndex(String name) {
        int i = names.indexOf(Validate.nonNull(name, "name"));
        if (i < 0) {
            throw new IllegalArgumentException("no pose style '" + name + "' in " + source + " (" + names.size()
                    + " styles, e.g. " + names.get(0) + ")");
        }
        return i;
    }

    /**
     * Retrieval: the training style nearest a take's style matrix, each entry divided by its spread between
     * takes of one speaker ({@code styles.scale}).
     *
     * @param matrix the take's semantic-aware style matrix, row-major [9 * 7] (not null, finite, unaffected;
     *     computed offline: {@code parley.pose.style.style_matrix})
     * @return the nearest style's index
     */
    public int retrieve(float[] matrix) {
        Validate.finite(Validate.length(matrix, MATRIX_ROWS * MATRIX_COLUMNS, "matrix"), "matrix");
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int s = 0; s < matrices.length; s++) {
            double d = 0;
            for (int i = 0; i < matrix.length; i++) {
                double e = (matrices[s][i] - matrix[i]) / scale[i];
                d += e * e;
            }
            if (d < bestD) {
                bestD = d;
                best = s;
            }
        }
        return best;
    }

    /** @return the motion frames per code (&gt;0) */
    public int framesPerCode() {
        return framesPerCode;
    }

    /**
     * The line's audio features as the runtime encodes them, with the adapter's own session of the pack's audio
     * encoder: {@link #windowFeatures}, cut to whole codes.
     *
     * @param pcm the line's mono speech at the pack's sample rate (not null, finite, unaffected)
     * @return features [4 * ceil(T / 4) * featureDim], T = whole frames of {@code pcm} (not null)
     */
    public float[] features(float[] pcm) {
        int frames = Validate.nonNull(pcm, "pcm").length / samplesPerFrame;
        return java.util.Arrays.copyOf(windowFeatures(pcm, ownEncoder), codesFor(frames) * framesPerCode * featureDim);
    }

    /**
     * The line's audio features window by window, as the inference worker cuts a line's windows: the line padded
     * with silence to whole codes, then to whole encoder windows, each window encoded alone (batch 1).
     *
     * @param pcm the line's mono speech at the pack's sample rate (not null, finite, unaffected)
     * @param encoder a session of the pack's audio encoder, the one whose SHA-256 {@link #audioEncoderSha256}
     *     names (not null; called on the caller's thread)
     * @return features [W * windowFrames * featureDim], W = max(1, ceil(4 * ceil(T / 4) / windowFrames)) windows,
     *     T = whole frames of {@code pcm}; the first {@code 4 * ceil(T / 4)} frames are what {@link #poseOf}
     *     reads (a new array)
     */
    public float[] windowFeatures(float[] pcm, AudioEncoder encoder) {
        Validate.finite(Validate.nonNull(pcm, "pcm"), "pcm");
        Validate.nonNull(encoder, "encoder");
        int padded = codesFor(pcm.length / samplesPerFrame) * framesPerCode;
        int windows = Math.max(1, (padded + windowFrames - 1) / windowFrames);
        int ws = windowFrames * samplesPerFrame;
        int wf = windowFrames * featureDim;
        float[] out = new float[windows * wf];
        float[] window = new float[ws];
        float[] got = new float[wf];
        for (int w = 0; w < windows; w++) {
            java.util.Arrays.fill(window, 0f);
            int from = w * ws;
            System.arraycopy(pcm, Math.min(from, pcm.length), window, 0, Math.max(0, Math.min(ws, pcm.length - from)));
            encoder.encode(window, 1, ws, got);
            System.arraycopy(got, 0, out, w * wf, wf);
        }
        return out;
    }

    /** The adapter's own session of the pack's audio encoder, as an {@link AudioEncoder} (batch 1 only). */
    private void encodeOwn(float[] pcm, int batch, int samples, float[] features) {
        if (batch != 1) {
            throw new IllegalArgumentException("the pose adapter encodes one window at a time but got " + batch);
        }
        float[] in = pcm;
        if (gate != null) { // the pack's features are those of the gated PCM (OnnxAudioEncoder)
            in = new float[samples];
            gate.apply(pcm, 1, samples, in);
        }
        float[] got = run(encoder, ENCODER, Map.of("pcm", floats(in, 1, samples)), "audio_features");
        System.arraycopy(got, 0, features, 0, features.length);
    }

    private int codesFor(int frames) {
        return (frames + framesPerCode - 1) / framesPerCode;
    }

    /**
     * Greedy codes for a line: segments of at most {@code maxCodes} codes, each from the start symbol.
     *
     * @param features the line's audio features ({@link #features}; not null, unaffected)
     * @param frames the line's motion frames (&gt;0; the features cover ceil(frames / 4) codes)
     * @param style a training style's index
     * @return the codes, ceil(frames / 4) of them (not null)
     */
    public long[] codes(float[] features, int frames, int style) {
        Validate.inRange(style, 0, names.size() - 1, "style");
        Validate.inRange(frames, 1, Integer.MAX_VALUE / featureDim, "frames");
        int n = codesFor(frames);
        Validate.length(features, n * framesPerCode * featureDim, "features");
        float[] oneHot = new float[names.size()];
        oneHot[style] = 1f;
        long[] out = new long[n];
        for (int s = 0; s < n; s += maxCodes) {
            int m = Math.min(maxCodes, n - s);
            float[] seg = java.util.Arrays.copyOfRange(features, s * framesPerCode * featureDim,
                    (s + m) * framesPerCode * featureDim);
            long[] tokens = new long[m + 1];
            tokens[0] = startToken;
            for (int k = 1; k <= m; k++) {
                float[] logits = logits(java.util.Arrays.copyOf(tokens, k), seg, oneHot);
                int best = 0;
                for (int c = 1; c < codes; c++) {
                    if (logits[(k - 1) * codes + c] > logits[(k - 1) * codes + best]) {
                        best = c;
                    }
                }
                tokens[k] = best;
            }
            System.arraycopy(tokens, 1, out, s, m);
        }
        return out;
    }

    /**
     * One run of the step graph.
     *
     * @param tokens the start symbol, then the codes so far (not null, 1 to maxCodes long, unaffected)
     * @param features audio features of the segment [4N * featureDim], N &ge; tokens (not null, unaffected)
     * @param style the style's one-hot [styleCount] (not null, unaffected)
     * @return logits [tokens * codes] (not null)
     */
    public float[] logits(long[] tokens, float[] features, float[] style) {
        Validate.nonNull(tokens, "tokens");
        Validate.inRange(tokens.length, 1, maxCodes, "tokens.length");
        Validate.length(style, names.size(), "style");
        int featureFrames = Validate.nonNull(features, "features").length / featureDim;
        if (featureFrames * featureDim != features.length || featureFrames < tokens.length * framesPerCode
                || featureFrames % framesPerCode != 0) {
            throw new IllegalArgumentException("features must be whole codes of " + featureDim + "-d frames covering "
                    + tokens.length + " codes but has " + features.length + " values");
        }
        return run(gpt, GPT, Map.of("tokens", longs(tokens, 1, tokens.length),
                "audio_features", floats(features, 1, featureFrames, featureDim),
                "style", floats(style, 1, style.length)), "logits");
    }

    /**
     * The VQ-VAE decoder.
     *
     * @param codeSeq codes (not null, each in [0, codes), unaffected)
     * @param frames frames to keep (1 to 4 * codes)
     * @return the head pose [frames * 3], radians (not null)
     */
    public float[] decode(long[] codeSeq, int frames) {
        Validate.nonNull(codeSeq, "codes");
        Validate.inRange(frames, 1, codeSeq.length * framesPerCode, "frames");
        for (long c : codeSeq) {
            Validate.inRange((int) c, 0, codes - 1, "code");
        }
        float[] pose = run(decoder, DECODER, Map.of("codes", longs(codeSeq, 1, codeSeq.length)), "pose");
        return java.util.Arrays.copyOf(pose, frames * POSE_DIM);
    }

    /**
     * The head pose of a line: {@link #features}, {@link #codes}, {@link #decode}, all on the caller's thread.
     *
     * @param pcm the line's mono speech at the pack's sample rate (not null, finite, unaffected)
     * @param style a training style's index
     * @return the pose [T * 3] for T = whole frames of the speech (&ge;1), radians (not null)
     */
    public float[] pose(float[] pcm, int style) {
        Validate.inRange(style, 0, names.size() - 1, "style");
        int frames = Math.max(1, pcm.length / samplesPerFrame);
        float[] padded = pcm.length >= samplesPerFrame ? pcm : java.util.Arrays.copyOf(pcm, samplesPerFrame);
        return poseOf(windowFeatures(padded, ownEncoder), frames, style);
    }

    /**
     * The head pose of a line from its audio features: {@link #codes}, {@link #decode}. The inference worker
     * calls it with the features it encoded for the line's windows, so the line is encoded once.
     *
     * @param features the line's features from its start, at least {@code 4 * ceil(frames / 4)} frames of
     *     featureDim ({@link #windowFeatures}; not null, unaffected)
     * @param frames the line's motion frames (&gt;0)
     * @param style a training style's index
     * @return the pose [frames * 3], radians (not null)
     */
    public float[] poseOf(float[] features, int frames, int style) {
        Validate.inRange(style, 0, names.size() - 1, "style");
        Validate.inRange(frames, 1, Integer.MAX_VALUE / featureDim, "frames");
        int need = codesFor(frames) * framesPerCode * featureDim;
        if (Validate.nonNull(features, "features").length < need) {
            throw new IllegalArgumentException("features must cover " + need + " values (" + frames
                    + " frames in whole codes) but has " + features.length);
        }
        float[] cut = features.length == need ? features : java.util.Arrays.copyOf(features, need);
        return decode(codes(cut, frames, style), frames);
    }

    /** @return the pose's frame rate (the pack's motion rate) */
    public int fps() {
        return fps;
    }

    /** @return the sample rate {@link #pose} reads (the pack's) */
    public int sampleRate() {
        return sampleRate;
    }

    /** @return samples per motion frame at {@link #sampleRate} (the pack's) */
    public int samplesPerFrame() {
        return samplesPerFrame;
    }

    /**
     * Replaces the {@code head} slice of motion frames with a pose; frames past the pose hold its last frame.
     *
     * @param motion frames [frames * layout.dim] (not null, modified)
     * @param firstFrame the line frame of {@code motion}'s first frame (&ge;0)
     * @param layout the frames' layout (not null; has a 3-value {@code head} slice)
     * @param pose the pose [T * 3], T &ge; 1 (not null, unaffected)
     */
    public static void replaceHead(float[] motion, int firstFrame, MotionLayout layout, float[] pose) {
        Validate.nonNull(motion, "motion");
        Validate.nonNull(layout, "layout");
        Validate.nonNull(pose, "pose");
        Validate.inRange(firstFrame, 0, Integer.MAX_VALUE, "firstFrame");
        MotionLayout.Slice head = layout.slice("head");
        if (head.size() != POSE_DIM || pose.length < POSE_DIM || pose.length % POSE_DIM != 0) {
            throw new IllegalArgumentException("a head pose needs a 3-value head slice and whole frames but got "
                    + head.size() + " and " + pose.length + " values");
        }
        int last = pose.length / POSE_DIM - 1;
        for (int i = 0; i < motion.length / layout.dim(); i++) {
            int p = Math.min(firstFrame + i, last) * POSE_DIM;
            System.arraycopy(pose, p, motion, i * layout.dim() + head.offset(), POSE_DIM);
        }
    }

    private OnnxTensor floats(float[] v, long... shape) {
        try {
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": cannot make a tensor: " + e.getMessage(), e);
        }
    }

    private OnnxTensor longs(long[] v, long... shape) {
        try {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": cannot make a tensor: " + e.getMessage(), e);
        }
    }

    private float[] run(OrtSession session, String graph, Map<String, OnnxTensor> inputs, String output) {
        runs.computeIfAbsent(graph + "@" + Thread.currentThread().getName(), k -> new LongAdder()).increment();
        try (OrtSession.Result r = session.run(inputs)) {
            OnnxTensor t = (OnnxTensor) r.get(output).orElseThrow();
            FloatBuffer b = t.getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": " + output + " failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        closeQuietly(gpt);
        closeQuietly(decoder);
        closeQuietly(encoder);
    }
}
