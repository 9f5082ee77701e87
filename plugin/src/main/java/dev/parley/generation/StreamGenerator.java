package dev.parley.generation;

import dev.parley.audio.AudioInputException;
import dev.parley.features.LineAudio;
import dev.parley.model.StreamSpec;
import dev.parley.pack.PackManifest;
import dev.parley.sampler.Ddim;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.util.Validate;

/**
 * Generates a streamed line's motion on the pack's stream model ({@link StreamSpec}), as
 * {@code parley.model.stream.stream_sample} does: window {@code w} starts at frame {@code s = w * hop}; it is cut
 * as soon as the line's audio up to frame {@code s + window} has arrived (or the line has ended: silence past
 * it); the stream encoder hears the line from frame {@code s - min(context, s)} to {@code s + window} and the
 * window's features are its last {@code window} frames; the window is conditioned on the last Tp frames kept so
 * far (the first on the learnt start features); its x_T is seeded noise; its first {@code hop} frames are kept
 * (fewer at the line's end) and the rest dropped. Every window carries the speaker's style and face shape.
 *
 * <p>No threads here: the inference service drives it ({@link #plan}, {@link #cutAudio}, {@link #begin},
 * sample with the stream denoiser, {@link #finish}). Owned by the worker; its buffers are allocated once.
 */
public final class StreamGenerator {

    private final PackManifest manifest;
    private final StreamSpec spec;
    private final LineAudio audio;
    private final String name;
    private final Guidance guidance;
    private final int steps;
    private final int samplesPerFrame;
    private final WindowOutput out;
    private final WindowChecks checks = new WindowChecks();
    private int encodedFrames;

    /**
     * @param manifest the pack's manifest, with a stream model (not null)
     * @param audio the line's audio (not null; consumed by this generator)
     * @param seed the line's seed
     * @param style the style embedding [style.dim] (not null, unaffected: copied)
     * @param shape the speaker's face shape, beta (see {@link LineGenerator}; not null, unaffected)
     * @param guidance how the guidance branches combine (not null, not folded: the stream model runs the guided
     *     DDIM)
     * @param steps the DDIM steps a window asks for (in [1, N]; the scheduler may use fewer)
     * @throws IllegalArgumentException if the pack has no stream model, the shape does not suit it or the
     *     guidance is folded
     */
    public StreamGenerator(PackManifest manifest, LineAudio audio, long seed, float[] style, float[] shape,
            Guidance guidance, int steps) {
        this.manifest = Validate.nonNull(manifest, "manifest");
        this.spec = manifest.stream();
        if (spec == null) {
            throw new IllegalArgumentException("pack '" + manifest.id() + "' has no stream model ("
                    + manifest.source() + " stream)");
        }
        this.audio = Validate.nonNull(audio, "audio");
        this.name = audio.name();
        this.guidance = Validate.nonNull(guidance, "guidance");
        if (guidance.folded()) {
            throw new IllegalArgumentException("'" + name + "': the stream model runs the guided DDIM, not folded "
                    + "guidance");
        }
        this.steps = Validate.inRange(steps, 1, manifest.diffusionSteps(), "steps");
        samplesPerFrame = manifest.samplesPerFrame();
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

    /** @return the steps a window asks for */
    public int steps() {
        return steps;
    }

    /** @return frames kept so far (the line frame the next window starts at) */
    public long framesDone() {
        return out.framesDone();
    }

    /** @return windows finished so far */
    public int windowsDone() {
        return out.windowIndex();
    }

    /**
     * Whether the next window can be cut now: its audio up to frame {@code s + window} has arrived, or the line
     * has ended with frames still to make.
     *
     * @return the frames its encoder call takes ({@code min(context, s) + window}), or 0 if it must wait for
     *     audio (or the line is done)
     * @throws AudioInputException if the line is empty, silent or not finite
     */
    public int plan() {
        long start = out.framesDone();
        long end = (start + spec.window()) * samplesPerFrame;
        long ready = audio.samplesReady(end);
        checks.checkAudible(audio, name);
        if (ready < end && !audio.isComplete()) {
            return 0;
        }
        if (audio.isComplete() && start >= lineFrames()) {
            return 0;
        }
        return spec.contextAt(start) + spec.window();
    }

    /** @return true once every frame of a complete line has been kept */
    public boolean isDone() {
        return out.pendingFrames() == 0 && audio.isComplete() && out.framesDone() >= lineFrames();
    }

    /**
     * Cuts the next window's encoder input (zeros past the end of the line) and lets go of the audio no later
     * window hears.
     *
     * @param frames what {@link #plan} returned (&gt;0)
     * @param pcm receives {@code frames * samplesPerFrame} samples (not null, exactly that long, modified)
     */
    public void cutAudio(int frames, float[] pcm) {
        long start = out.framesDone();
        if (frames != spec.contextAt(start) + spec.window()) {
            throw new IllegalArgumentException("frames must be " + (spec.contextAt(start) + spec.window())
                    + " (what plan() returned) but is " + frames);
        }
        Validate.length(pcm, frames * samplesPerFrame, "pcm");
        audio.readAt((start - spec.contextAt(start)) * samplesPerFrame, pcm, pcm.length);
        long next = start + spec.hop();
        audio.release((next - spec.contextAt(next)) * samplesPerFrame);
        long left = audio.isComplete() ? lineFrames() - start : spec.hop();
        out.cut((int) Math.min(spec.hop(), left));
        encodedFrames = frames;
    }

    /**
     * Sets a task (of the stream dimensions) up for the window whose audio was cut last.
     *
     * @param task the line's task (not null, modified)
     * @param features the encoder's output for the cut audio, [frames * Da] (not null, unaffected): the last
     *     {@code window} frames are the window's
     * @param featuresOffset where they start in {@code features}
     * @param stepsNow sampling steps for this window (in [1, N])
     * @throws NonFiniteMotionException if the audio features are not finite
     */
    public void begin(SamplingTask task, float[] features, int featuresOffset, int stepsNow) {
        Validate.nonNull(task, "task");
        if (out.pendingFrames() == 0) {
            throw new IllegalStateException("'" + name + "': no window cut to begin");
        }
        int da = manifest.audioFeatureDim();
        int windowOffset = featuresOffset + (encodedFrames - spec.window()) * da;
        WindowChecks.copyFeatures(name, out.windowIndex(), features, windowOffset, task.audioFeatures, da);
        out.condition(task);
        task.begin(Ddim.timesteps(manifest.diffusionSteps(), stepsNow), out.windowIndex() == 0, guidance);
    }

    /**
     * Takes a finished window: checks its kept frames, keeps them as the next windows' condition and
     * de-normalises them.
     *
     * @param task the finished task (not null, done; unaffected)
     * @return the kept frames (not null; a new array owned by the receiver)
     * @throws NonFiniteMotionException if the denoiser produced NaN or infinity, or de-normalising overflowed
     */
    public MotionWindow finish(SamplingTask task) {
        return out.take(task);
    }

    /** The line's frames once it is complete: every started frame counts. */
    private long lineFrames() {
        return (audio.totalSamples() + samplesPerFrame - 1) / samplesPerFrame;
    }
}
