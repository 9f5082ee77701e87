package dev.parley.pack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.features.SilenceGate;
import dev.parley.head.HeadSpec;
import dev.parley.head.MotionLayout;
import dev.parley.model.ModelDims;
import dev.parley.model.StreamSpec;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model pack's {@code manifest.json}: motion layout and normalisation, audio rate, window sizes,
 * style dimension, diffusion schedule and default sampling; its sizes are the model's contract,
 * {@link #dims()}. Immutable; validated on load (docs/model-pack.md, "What the runtime checks at
 * load"): every problem, however hostile the file, is an {@link AssetFormatException} naming the
 * file and the field, e.g. a size past {@link ModelDims}' limits, normalisation past
 * {@link #MAX_NORMALISATION}, or a graph path outside the pack folder.
 */
public final class PackManifest {

    /** The format tag of manifests. */
    public static final String FORMAT = "parley-model-pack";
    /** The manifest version this reader understands. */
    public static final int VERSION = 1;
    /**
     * The largest {@code motion.mean} magnitude and {@code motion.std} a manifest may declare: motion
     * values are expression coefficients and angles in radians, a few units at most, so anything
     * larger is a broken pack that would send infinities to the face.
     */
    public static final float MAX_NORMALISATION = 1000f;
    /** The smallest {@code motion.std}: below it, normalising a style clip overflows. */
    public static final float MIN_STD = 1e-6f;
    /** The longest diffusion schedule a manifest may declare. */
    public static final int MAX_DIFFUSION_STEPS = 100_000;
    /** The most steps a distilled sampler may declare ({@code sampling.distilled.steps}). */
    public static final int MAX_DISTILLED_STEPS = 16;
    /** The most blocks a silence gate may hold after, or lead before, a kept block. */
    public static final int MAX_GATE_BLOCKS = 100;
    /** The one guidance mode of a distilled sampler: guidance folded into the student's weights. */
    public static final String FOLDED = "folded";

    private final String source;
    private final String id;
    private final String packVersion;
    private final String headName;
    private final MotionLayout motion;
    private final float[] motionMean;
    private final float[] motionStd;
    private final ModelDims dims;
    private final SilenceGate silenceGate;
    private final float[] alphasCumprod;
    private final int defaultSteps;
    private final float audioGuidance;
    private final float styleGuidance;
    private final float guidanceRescale;
    private final String audioEncoderFile;
    private final String denoiserFile;
    private final String audioMemoryFile;
    private final String styleEncoderFile;
    private final String distilledDenoiserFile;
    private final String distilledAudioMemoryFile;
    private final int[] distilledTimesteps;
    private final boolean distilledDefault;
    private final String denoiserSha256;
    private final String audioEncoderSha256;
    private final StreamSpec stream;
    private final String streamAudioEncoderFile;
    private final String streamAudioMemoryFile;
    private final String streamDenoiserFile;

    private PackManifest(String source, JsonNode root) {
        JsonFields f = new JsonFields(source);
        this.source = source;
        f.formatAndVersion(root, FORMAT, VERSION);
        id = f.string(root, "id", "id");
        packVersion = f.string(root, "packVersion", "packVersion");
        headName = f.string(f.require(root, "head", "head"), "name", "head.name");

        JsonNode m = f.require(root, "motion", "motion");
        motion = MotionLayout.read(f, m, "motion", expressionCount(f, m));
        if (motion.dim() < 1 || motion.dim() > ModelDims.MAX_WIDTH) {
            throw new AssetFormatException(source, "motion.dim", "expected an integer in [1, " + ModelDims.MAX_WIDTH
                    + "] but got " + motion.dim());
        }
        motionMean = f.floats(m, "mean", "motion.mean", motion.dim());
        motionStd = f.floats(m, "std", "motion.std", motion.dim());
        for (int i = 0; i < motionStd.length; i++) {
            inRange(motionMean[i], -MAX_NORMALISATION, MAX_NORMALISATION, "motion.mean[" + i + "]");
            inRange(motionStd[i], MIN_STD, MAX_NORMALISATION, "motion.std[" + i + "]");
        }

        JsonNode audio = f.require(root, "audio", "audio");
        int sampleRate = positive(f, audio, "sampleRate", "audio.sampleRate", ModelDims.MAX_SAMPLE_RATE);
        int samplesPerFrame = positive(f, audio, "samplesPerFrame", "audio.samplesPerFrame",
                ModelDims.MAX_SAMPLES_PER_FRAME);
        if ((long) samplesPerFrame * motion.fps() != sampleRate) {
            throw new AssetFormatException(source, "audio.samplesPerFrame", "expected sampleRate/fps = "
                    + (sampleRate / (double) motion.fps()) + " but got " + samplesPerFrame);
        }
        int audioFeatureDim = positive(f, audio, "featureDim", "audio.featureDim", ModelDims.MAX_WIDTH);
        silenceGate = audio.has("gate") ? silenceGate(f, f.require(audio, "gate", "audio.gate"), samplesPerFrame)
                : null;

        JsonNode window = f.require(root, "window", "window");
        int windowFrames = positive(f, window, "current", "window.current", ModelDims.MAX_FRAMES);
        int previousFrames = positive(f, window, "previous", "window.previous", ModelDims.MAX_FRAMES);
        if (previousFrames >= windowFrames) {
            throw new AssetFormatException(source, "window.previous", "expected fewer than " + windowFrames
                    + " frames but got " + previousFrames);
        }
        JsonNode style = f.require(root, "style", "style");
        int styleDim = positive(f, style, "dim", "style.dim", ModelDims.MAX_WIDTH);
        int styleFrames = positive(f, style, "frames", "style.frames", ModelDims.MAX_FRAMES);
        int shapeDim = positive(f, f.require(root, "shape", "shape"), "dim", "shape.dim", ModelDims.MAX_WIDTH);
        JsonNode models = f.require(root, "models", "models");
        // Packs before 1.4.0 have a one-graph denoiser: no audio memory graph, no audioMemory section.
        ModelDims.Memory memory = null;
        if (root.has("audioMemory") || models.has("audioMemory")) {
            JsonNode am = f.require(root, "audioMemory", "audioMemory");
            memory = new ModelDims.Memory(positive(f, am, "layers", "audioMemory.layers", ModelDims.MAX_LAYERS),
                    positive(f, am, "width", "audioMemory.width", ModelDims.MAX_WIDTH));
            audioMemoryFile = graphFile(f, models, "audioMemory");
            if ((long) memory.layers() * 3 * windowFrames * memory.width() > Integer.MAX_VALUE / 8) {
                throw new AssetFormatException(source, "audioMemory", "expected a memory of at most "
                        + Integer.MAX_VALUE / 8 + " values per window but got " + memory + " over " + windowFrames
                        + " frames");
            }
        } else {
            audioMemoryFile = null;
        }
        dims = new ModelDims(sampleRate, samplesPerFrame, audioFeatureDim, windowFrames, previousFrames, motion.dim(),
                styleDim, styleFrames, shapeDim, memory);

        JsonNode diffusion = f.require(root, "diffusion", "diffusion");
        int steps = positive(f, diffusion, "steps", "diffusion.steps", MAX_DIFFUSION_STEPS);
        String prediction = f.string(diffusion, "prediction", "diffusion.prediction");
        if (!"x0".equals(prediction)) {
            throw new AssetFormatException(source, "diffusion.prediction", "expected 'x0' but got '" + prediction
                    + "'");
        }
        alphasCumprod = f.floats(diffusion, "alphasCumprod", "diffusion.alphasCumprod", steps);
        for (int i = 0; i < steps; i++) {
            float a = alphasCumprod[i];
            if (!(a > 0f && a < 1f) || (i > 0 && a > alphasCumprod[i - 1])) {
                throw new AssetFormatException(source, "diffusion.alphasCumprod[" + i + "]",
                        "expected a decreasing value in (0, 1) but got " + a);
            }
        }
        JsonNode sampling = f.require(root, "sampling", "sampling");
        defaultSteps = positive(f, sampling, "defaultSteps", "sampling.defaultSteps", steps);
        JsonNode guidance = f.require(sampling, "guidance", "sampling.guidance");
        audioGuidance = f.number(guidance, "audio", "sampling.guidance.audio");
        styleGuidance = f.number(guidance, "style", "sampling.guidance.style");
        // Optional (packs before 1.1 have none): 0 is plain guidance.
        guidanceRescale = guidance.has("rescale") ? f.number(guidance, "rescale", "sampling.guidance.rescale") : 0f;
        if (!(guidanceRescale >= 0f && guidanceRescale <= 1f)) {
            throw new AssetFormatException(source, "sampling.guidance.rescale",
                    "expected a number in [0, 1] but got " + guidanceRescale);
        }

        audioEncoderFile = graphFile(f, models, "audioEncoder");
        JsonNode encoderSum = root.path("checksums").path(audioEncoderFile);
        audioEncoderSha256 = encoderSum.isTextual() ? encoderSum.asText() : null;
        denoiserFile = graphFile(f, models, "denoiser");
        JsonNode sums = root.path("checksums").path(denoiserFile);
        denoiserSha256 = sums.isTextual() ? sums.asText() : null;
        styleEncoderFile = graphFile(f, models, "styleEncoder");

        // Optional (packs before 1.4 have none): a distilled, guidance-folded student and its schedule.
        JsonNode distilled = sampling.get("distilled");
        if (distilled == null || distilled.isNull()) {
            if (models.hasNonNull("distilledDenoiser")) {
                throw new AssetFormatException(source, "sampling.distilled",
                        "is missing but models.distilledDenoiser names a distilled denoiser");
            }
            distilledDenoiserFile = null;
            distilledAudioMemoryFile = null;
            distilledTimesteps = null;
            distilledDefault = false;
        } else {
            distilledDenoiserFile = graphFile(f, models, "distilledDenoiser");
            // The student is split as the teacher is: an audio memory graph where the pack has one.
            distilledAudioMemoryFile = audioMemoryFile == null ? null : graphFile(f, models, "distilledAudioMemory");
            int k = positive(f, distilled, "steps", "sampling.distilled.steps", MAX_DISTILLED_STEPS);
            distilledTimesteps = f.indices(distilled, "timesteps", "sampling.distilled.timesteps", steps);
            if (distilledTimesteps.length != k) {
                throw new AssetFormatException(source, "sampling.distilled.timesteps", "expected " + k
                        + " timesteps (sampling.distilled.steps) but got " + distilledTimesteps.length);
            }
            for (int i = 1; i < k; i++) {
                if (distilledTimesteps[i] >= distilledTimesteps[i - 1]) {
                    throw new AssetFormatException(source, "sampling.distilled.timesteps[" + i + "]",
                            "expected decreasing timesteps but got " + Arrays.toString(distilledTimesteps));
                }
            }
            String mode = f.string(distilled, "guidance", "sampling.distilled.guidance");
            if (!FOLDED.equals(mode)) {
                throw new AssetFormatException(source, "sampling.distilled.guidance", "expected '" + FOLDED
                        + "' but got '" + mode + "'");
            }
            JsonNode flag = f.require(distilled, "default", "sampling.distilled.default");
            if (!flag.isBoolean()) {
                throw new AssetFormatException(source, "sampling.distilled.default",
                        "expected true or false but got " + flag);
            }
            distilledDefault = flag.booleanValue();
        }

        // Optional (packs before 1.6 have none): the streaming model's short windows and its three graphs.
        JsonNode st = root.get("stream");
        if (st == null || st.isNull()) {
            if (models.hasNonNull("streamDenoiser")) {
                throw new AssetFormatException(source, "stream", "is missing but models.streamDenoiser names a "
                        + "stream denoiser");
            }
            stream = null;
            streamAudioEncoderFile = null;
            streamAudioMemoryFile = null;
            streamDenoiserFile = null;
        } else {
            stream = readStream(f, st, windowFrames, steps);
            streamAudioEncoderFile = graphFile(f, models, "streamAudioEncoder");
            streamAudioMemoryFile = audioMemoryFile == null ? null : graphFile(f, models, "streamAudioMemory");
            streamDenoiserFile = graphFile(f, models, "streamDenoiser");
        }
    }

    /** The {@code stream} section: a window of {@code hop + lookahead} frames, at most the full window. */
    private static StreamSpec readStream(JsonFields f, JsonNode st, int windowFrames, int diffusionSteps) {
        int hop = positive(f, st, "hop", "stream.hop", windowFrames);
        int lookahead = f.integer(st, "lookahead", "stream.lookahead");
        if (lookahead < 0 || lookahead > windowFrames - hop) {
            throw new AssetFormatException(f.source(), "stream.lookahead", "expected an integer in [0, "
                    + (windowFrames - hop) + "] (window.current - stream.hop) but got " + lookahead);
        }
        int context = f.integer(st, "context", "stream.context");
        if (context < 0 || context > ModelDims.MAX_FRAMES) {
            throw new AssetFormatException(f.source(), "stream.context", "expected an integer in [0, "
                    + ModelDims.MAX_FRAMES + "] but got " + context);
        }
        int window = f.integer(st, "window", "stream.window");
        if (window != hop + lookahead) {
            throw new AssetFormatException(f.source(), "stream.window", "expected stream.hop + stream.lookahead = "
                    + (hop + lookahead) + " but got " + window);
        }
        int steps = positive(f, st, "steps", "stream.steps", diffusionSteps);
        return new StreamSpec(hop, lookahead, context, window, steps);
    }

    private static int expressionCount(JsonFields f, JsonNode motion) {
        JsonNode layout = f.array(motion, "layout", "motion.layout", -1);
        for (JsonNode s : layout) {
            if (!s.hasNonNull("joint") && s.has("size")) {
                return s.get("size").asInt();
            }
        }
        throw new AssetFormatException(f.source(), "motion.layout",
                "has no expression slice (a slice without a joint)");
    }

    /** {@code audio.gate} (1.7.0 on): its blocks must tile a frame, so every window is whole blocks. */
    private SilenceGate silenceGate(JsonFields f, JsonNode gate, int samplesPerFrame) {
        float below = f.number(gate, "belowPeakDb", "audio.gate.belowPeakDb");
        inRange(below, 1e-3f, 200f, "audio.gate.belowPeakDb");
        float floor = f.number(gate, "floorDbfs", "audio.gate.floorDbfs");
        inRange(floor, -200f, 0f, "audio.gate.floorDbfs");
        int block = positive(f, gate, "blockSamples", "audio.gate.blockSamples", samplesPerFrame);
        if (samplesPerFrame % block != 0) {
            throw new AssetFormatException(source, "audio.gate.blockSamples", "expected a divisor of "
                    + samplesPerFrame + " (audio.samplesPerFrame) but got " + block);
        }
        int hold = integer(f, gate, "holdBlocks", "audio.gate.holdBlocks", 0, MAX_GATE_BLOCKS);
        int lead = integer(f, gate, "leadBlocks", "audio.gate.leadBlocks", 0, MAX_GATE_BLOCKS);
        return new SilenceGate(below, floor, block, hold, lead);
    }

    private static int positive(JsonFields f, JsonNode parent, String name, String path, int max) {
        return integer(f, parent, name, path, 1, max);
    }

    private static int integer(JsonFields f, JsonNode parent, String name, String path, int min, int max) {
        int v = f.integer(parent, name, path);
        if (v < min || v > max) {
            throw new AssetFormatException(f.source(), path, "expected an integer in [" + min + ", " + max
                    + "] but got " + v);
        }
        return v;
    }

    private void inRange(float v, float min, float max, String path) {
        if (!(v >= min && v <= max)) {
            throw new AssetFormatException(source, path, "expected a value in [" + min + ", " + max + "] but got " + v);
        }
    }

    /** A graph's file: a plain relative path inside the pack folder, never outside it. */
    private String graphFile(JsonFields f, JsonNode models, String name) {
        String path = "models." + name;
        String file = f.string(models, name, path);
        boolean inside;
        try {
            Path p = Path.of(file);
            inside = !file.isBlank() && p.getRoot() == null && !p.isAbsolute();
            for (int i = 0; inside && i < p.getNameCount(); i++) {
                String part = p.getName(i).toString();
                inside = !part.equals("..") && !part.equals(".") && !part.isEmpty();
            }
        } catch (InvalidPathException e) {
            inside = false;
        }
        if (!inside) {
            throw new AssetFormatException(source, path, "expected a file inside the pack folder (a relative path "
                    + "without '..') but got '" + file + "'");
        }
        return file;
    }

    /**
     * @param in the manifest JSON (not null, read to the end, not closed)
     * @param source a name for messages (not null)
     * @return a new manifest (not null)
     * @throws AssetFormatException naming the source and field of any problem
     */
    public static PackManifest read(InputStream in, String source) {
        Validate.nonNull(in, "in");
        JsonNode root = JsonFields.readObject(in, source);
        return new PackManifest(source, root);
    }

    /**
     * @param file a manifest file (not null)
     * @return a new manifest (not null)
     * @throws AssetFormatException if the file is missing, unreadable or invalid
     */
    public static PackManifest load(Path file) {
        Validate.nonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new AssetFormatException(file.toString(), "", "does not exist: no model pack manifest there");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new AssetFormatException(file.toString(), "", "cannot be read: " + e, e);
        }
    }

    /** @return where the manifest came from (not null) */
    public String source() {
        return source;
    }

    /** @return the pack id, e.g. {@code parley-base-v1} (not null) */
    public String id() {
        return id;
    }

    /** @return the pack's version string (not null) */
    public String packVersion() {
        return packVersion;
    }

    /** @return the name of the head the pack was trained for (not null) */
    public String headName() {
        return headName;
    }

    /** @return the motion layout (not null) */
    public MotionLayout motion() {
        return motion;
    }

    /** @return per-dimension motion mean (the manifest's own array: do not modify) */
    public float[] motionMean() {
        return motionMean;
    }

    /** @return per-dimension motion standard deviation (the manifest's own array: do not modify) */
    public float[] motionStd() {
        return motionStd;
    }

    /** @return the model's dimensions (not null): what buffers and tensor shapes are made from */
    public ModelDims dims() {
        return dims;
    }

    /** @return the audio sample rate the encoder expects */
    public int sampleRate() {
        return dims.sampleRate();
    }

    /** @return audio samples per motion frame */
    public int samplesPerFrame() {
        return dims.samplesPerFrame();
    }

    /** @return the audio feature width */
    public int audioFeatureDim() {
        return dims.audioDim();
    }

    /** @return Tw, frames per window */
    public int windowFrames() {
        return dims.windowFrames();
    }

    /** @return Tp, previous frames conditioning a window */
    public int previousFrames() {
        return dims.previousFrames();
    }

    /** @return the style embedding dimension */
    public int styleDim() {
        return dims.styleDim();
    }

    /** @return frames of motion the style encoder reads */
    public int styleFrames() {
        return dims.styleFrames();
    }

    /** @return the shape (identity) dimension */
    public int shapeDim() {
        return dims.shapeDim();
    }

    /** @return N, the number of diffusion steps of the schedule */
    public int diffusionSteps() {
        return alphasCumprod.length;
    }

    /**
     * @param t a timestep in [0, N)
     * @return the cumulative alpha product at {@code t}
     */
    public float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** @return the default number of sampling steps */
    public int defaultSteps() {
        return defaultSteps;
    }

    /** @return the default audio guidance scale */
    public float audioGuidance() {
        return audioGuidance;
    }

    /** @return the default style guidance scale */
    public float styleGuidance() {
        return styleGuidance;
    }

    /** @return the guidance rescale phi in [0, 1] (0 when the manifest has none: plain guidance) */
    public float guidanceRescale() {
        return guidanceRescale;
    }

    /** @return the audio encoder's file name in the pack folder (not null) */
    public String audioEncoderFile() {
        return audioEncoderFile;
    }

    /**
     * @return the SHA-256 of the audio encoder's file as the manifest's {@code checksums} give it (the hash a pose
     *     adapter records), or null if the manifest has none
     */
    public String audioEncoderSha256() {
        return audioEncoderSha256;
    }

    /** @return the denoiser's file name in the pack folder (not null) */
    public String denoiserFile() {
        return denoiserFile;
    }

    /**
     * @return the SHA-256 of the denoiser's file as the manifest's {@code checksums} give it (the hash an
     *     expression adapter records), or null if the manifest has none
     */
    public String denoiserSha256() {
        return denoiserSha256;
    }

    /**
     * @return the audio memory graph's file name in the pack folder (pack 1.4.0 on), or null for a pack
     *     with a one-graph denoiser
     */
    public String audioMemoryFile() {
        return audioMemoryFile;
    }

    /** @return the style encoder's file name in the pack folder (not null) */
    public String styleEncoderFile() {
        return styleEncoderFile;
    }

    /** @return true if the pack has a distilled, guidance-folded sampler ({@code sampling.distilled}) */
    public boolean hasDistilled() {
        return distilledTimesteps != null;
    }

    /**
     * @return the distilled denoiser's file name in the pack folder, or null without a distilled sampler
     */
    public String distilledDenoiserFile() {
        return distilledDenoiserFile;
    }

    /**
     * @return the distilled denoiser's audio memory graph in the pack folder, or null without a distilled
     *     sampler or for a one-graph pack
     */
    public String distilledAudioMemoryFile() {
        return distilledAudioMemoryFile;
    }

    /**
     * @return the distilled sampler's DDIM timesteps, decreasing, in [0, N) (a new array; null without a
     *     distilled sampler)
     */
    public int[] distilledTimesteps() {
        return distilledTimesteps == null ? null : distilledTimesteps.clone();
    }

    /**
     * @return true if the distilled sampler is the pack's default ({@code sampling.distilled.default}); the
     *     guided DDIM sampler stays selectable
     */
    public boolean distilledIsDefault() {
        return distilledDefault;
    }

    /**
     * @return the silence gate the runtime applies to PCM windows before every audio encoder of the pack
     *     ({@code audio.gate}, 1.7.0 on), or null for a pack without one
     */
    public SilenceGate silenceGate() {
        return silenceGate;
    }

    /** @return the streaming model's windows ({@code stream}), or null if the pack has no stream model */
    public StreamSpec stream() {
        return stream;
    }

    /** @return the stream graphs' dimensions (the pack's, with the stream window), or null without a stream model */
    public ModelDims streamDims() {
        return stream == null ? null : stream.dims(dims);
    }

    /** @return the stream audio encoder's file in the pack folder, or null without a stream model */
    public String streamAudioEncoderFile() {
        return streamAudioEncoderFile;
    }

    /**
     * @return the stream denoiser's audio memory graph in the pack folder, or null without a stream model or for
     *     a one-graph pack
     */
    public String streamAudioMemoryFile() {
        return streamAudioMemoryFile;
    }

    /** @return the stream denoiser's file in the pack folder, or null without a stream model */
    public String streamDenoiserFile() {
        return streamDenoiserFile;
    }

    /**
     * Turns a face shape (the identity weights {@code beta} of the head's shape basis, the mean face at
     * zero) into the denoiser's shape input: the components the beta leaves out are 0, as in
     * {@code HeadShape}. The model was trained on raw beta, so no normalisation.
     *
     * @param beta the shape weights (not null, finite, length &le; {@link #shapeDim()}; unaffected)
     * @param who whose shape, for the message (not null)
     * @param store the input row (length {@link #shapeDim()}; overwritten)
     * @return {@code store}
     * @throws IllegalArgumentException naming {@code who}, this pack and the lengths, or the first
     *     non-finite component
     */
    public float[] shapeInput(float[] beta, String who, float[] store) {
        Validate.nonNull(beta, "beta");
        Validate.length(store, shapeDim(), "store");
        if (beta.length > shapeDim()) {
            throw new IllegalArgumentException(who + ": the face shape (beta) has " + beta.length
                    + " components but pack '" + id + "' is conditioned on " + shapeDim() + " (" + source
                    + " shape.dim)");
        }
        for (int i = 0; i < beta.length; i++) {
            if (!Float.isFinite(beta[i])) {
                throw new IllegalArgumentException(who + ": the face shape (beta) component " + i + " is " + beta[i]
                        + ", expected a finite value");
            }
        }
        Arrays.fill(store, 0f);
        System.arraycopy(beta, 0, store, 0, beta.length);
        return store;
    }

    /**
     * Checks that a head can wear this pack's motion: the same head name and the same motion layout
     * (slices, sizes, frame rate).
     *
     * @param spec the head's spec (not null)
     * @throws AssetFormatException naming this manifest, the head and the difference
     */
    public void checkHead(HeadSpec spec) {
        Validate.nonNull(spec, "spec");
        if (!spec.name().equals(headName)) {
            throw new AssetFormatException(source, "head.name", "expected '" + spec.name() + "' (the head of "
                    + spec.source() + ") but got '" + headName + "'");
        }
        if (!motion.equals(spec.motionLayout())) {
            throw new AssetFormatException(source, "motion.layout", "expected the layout of " + spec.source() + " "
                    + describe(spec.motionLayout()) + " but got " + describe(motion));
        }
    }

    /**
     * Checks that a bound rig drives as many expression components as the pack predicts.
     *
     * @param count the rig's expression count
     * @param model the model's name for the message (not null)
     * @throws AssetFormatException naming this manifest, the model and both counts
     */
    public void checkExpressions(int count, String model) {
        int expected = motion.slice("expression").size();
        if (count != expected) {
            throw new AssetFormatException(source, "motion.layout",
                    "predicts " + expected + " expression components but the rig of '"
                    + model + "' binds " + count);
        }
    }

    private static String describe(MotionLayout l) {
        List<String> parts = new ArrayList<>();
        l.slices().forEach(s -> parts.add(s.name() + "[" + s.offset() + ".." + (s.offset() + s.size()) + ")"
                + (s.joint() == null ? "" : "->" + s.joint())));
        return "dim " + l.dim() + " at " + l.fps() + " fps " + parts;
    }
}
