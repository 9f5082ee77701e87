package dev.parley.generation;

import dev.parley.audio.AudioInputException;
import dev.parley.features.LineAudio;
import dev.parley.pack.PackManifest;
import dev.parley.sampler.Ddim;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.util.Validate;

/**
 * Generates one line's motion window by window, as the pack's manifest prescribes: each window of
 * Tw frames is conditioned on the Tp previous frames (the first on the learnt start features), its
 * audio is one encoder call of Tw frames (zero-padded at the end of the line), its x_T is seeded
 * noise (the same for the same seed and window, whatever else is running), and the frames past the
 * end of the audio are dropped after sampling. Streams may end a window early, with fewer frames
 * than Tw, so that the face does not wait for a whole window of audio. Every window carries the
 * speaker's face shape (its own batch row), so speakers of different shapes share denoiser runs.
 *
 * <p>No threads here: the inference service drives it ({@link #plan}, {@link #cutAudio},
 * {@link #begin}, sample, {@link #finish}). Owned by the worker; all buffers are allocated once.
 */
public final class LineGenerator {

    private final PackManifest manifest;
    private final LineAudio audio;
    private final String name;
    private final Guidance guidance;
    private final int[] foldedTimesteps;
    private final int windowFrames;
    private final WindowOutput out;
    private final WindowChecks checks = new WindowChecks();

    /**
     * @param manifest the pack's manifest (not null)
     * @param audio the line's audio (not null; consumed by this generator)
     * @param seed the line's seed
     * @param style the style embedding [style.dim] (not null, unaffected: copied)
     * @param shape the speaker's face shape, beta (not null, finite, length &le; shape.dim, missing components 0;
     *     empty for the mean face; unaffected: copied into every window's shape input)
     * @param guidance how the guidance branches combine, or folded: the pack's distilled sampler, whose
     *     timesteps the manifest sets (not null)
     * @throws IllegalArgumentException if the shape does not suit the pack (see {@link PackManifest#shapeInput}),
     *     or the guidance is folded and the pack has no distilled sampler
     */
    public LineGenerator(PackManifest manifest, LineAudio audio, long seed, float[] style, float[] shape,
            Guidance guidance) {
        this.manifest = Validate.nonNull(manifest, "manifest");
        this.audio = Validate.nonNull(audio, "audio");
        this.name = audio.name();
        this.guidance = Validate.nonNull(guidance, "guidance");
        if (guidance.folded() && !manifest.hasDistilled()) {
            throw new IllegalArgumentException("'" + name + "': the distilled sampler was chosen but pack '"
                    + manifest.id() + "' has none (" + manifest.source() + " sampling.distilled)");
        }
        foldedTimesteps = guidance.folded() ? manifest.distilledTimesteps() : null;
        windowFrames = manifest.windowFrames();
        out = new WindowOutput(manifest, name, seed, style, shape);
    }

    /** @return the line's name (not null) */
    public String name() {
        return name;
    }

    /** @return the line's audio (not null) */
    public LineAudio audio() {
        return audio;
    }

    /** @return frames generated so far (the line frame the next window starts at) */
    public long framesDone() {
        return out.framesDone();
    }

    /** @return windows finished so far */
    public int windowsDone() {
        return out.windowIndex();
    }

    /**
     * How many frames the next window would take now.
     *
     * @param streamChunkFrames the fewest frames worth a window while a stream is still arriving
     * @return frames in [1, Tw], or 0 if the next window must wait for audio (or the line is done)
     * @throws AudioInputException if the line is empty, silent or not finite, or its reader finds it corrupt
     */
    public int plan(int streamChunkFrames) {
        int ready = audio.framesReady(windowFrames);
        checks.checkAudible(audio, name);
        if (audio.isComplete()) {
            return Math.min(windowFrames, ready);
        }
        if (ready >= windowFrames) {
            return windowFrames;
        }
        return ready >= Math.max(1, streamChunkFrames) ? ready : 0;
    }

    /** @return true once every frame of a complete line has been generated */
    public boolean isDone() {
        return out.pendingFrames() == 0 && audio.isExhausted();
    }

    /**
     * Cuts the next window's audio.
     *
     * @param frames what {@link #plan} returned (&gt;0)
     * @param pcm receives Tw * samplesPerFrame samples (not null, modified)
     */
    public void cutAudio(int frames, float[] pcm) {
        Validate.length(pcm, manifest.dims().windowSamples(), "pcm");
        audio.read(pcm, frames);
        out.cut(frames);
    }

    /**
     * Sets a task up for the window whose audio was cut last.
     *
     * @param task the line's task (not null, modified)
     * @param features the window's audio features (not null, unaffected)
     * @param featuresOffset where they start in {@code features}
     * @param steps sampling steps (in [1, N]; a folded line takes the distilled sampler's, from the manifest)
     * @throws NonFiniteMotionException if the audio features are not finite
     */
    public void begin(SamplingTask task, float[] features, int featuresOffset, int steps) {
        Validate.nonNull(task, "task");
        WindowChecks.copyFeatures(name, out.windowIndex(), features, featuresOffset, task.audioFeatures,
                manifest.audioFeatureDim());
        out.condition(task);
        int[] timesteps = foldedTimesteps != null ? foldedTimesteps : Ddim.timesteps(manifest.diffusionSteps(), steps);
        task.begin(timesteps, out.windowIndex() == 0, guidance);
    }

    /**
     * Takes a finished window: checks it, keeps its last frames as the next window's condition,
     * de-normalises the frames that cover audio and drops the rest.
     *
     * @param task the finished task (not null, done; unaffected)
     * @return the window's motion (not null; a new array owned by the receiver)
     * @throws NonFiniteMotionException if the denoiser produced NaN or infinity, or de-normalising
     *     overflowed
     */
    public MotionWindow finish(SamplingTask task) {
        return out.take(task);
    }

    /**
     * The seed of a window's noise: a SplitMix64 mix of the line's seed and the window index, so
     * each window's noise depends on nothing else.
     *
     * @param seed the line's seed
     * @param window the window index (&ge;0)
     * @return the seed for {@link Ddim#gaussianNoise}
     */
    public static long windowSeed(long seed, int window) {
        long z = seed + 0x9E3779B97F4A7C15L * (window + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
