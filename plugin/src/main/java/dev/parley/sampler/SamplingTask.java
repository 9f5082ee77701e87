package dev.parley.sampler;

import dev.parley.util.Validate;

/**
 * One window being sampled step by step: its conditions, its DDIM timesteps, how far it has got, and
 * its current x_t (the clean normalised motion once {@link #isDone()}). Tasks of several characters,
 * at different steps, advance together through a {@link BatchStepper}.
 *
 * <p>Owned by the inference worker. The condition arrays are the task's own, allocated once and reused
 * for every window of a line: fill them, then call {@link #begin}.
 */
public final class SamplingTask {

    /** Frames per window (Tw). */
    public final int frames;
    /** Motion dimension (M). */
    public final int motionDim;
    /** x_t, then the clean normalised motion [Tw*M] (the task's own array). */
    public final float[] x;
    /** Normalised previous frames [Tp*M] (ignored for a first window). */
    public final float[] prevMotion;
    /** Audio features [Tw*Da]. */
    public final float[] audioFeatures;
    /** Style embedding [Ds]. */
    public final float[] style;
    /** Shape [shapeDim]. */
    public final float[] shape;
    private boolean firstWindow;
    private int[] timesteps = new int[0];
    private int step;
    private Guidance guidance = Guidance.NONE;

    /**
     * @param frames Tw (&gt;0)
     * @param previousFrames Tp (&gt;0)
     * @param motionDim M (&gt;0)
     * @param audioDim Da (&gt;0)
     * @param styleDim Ds (&gt;0)
     * @param shapeDim shape width (&gt;0)
     */
    public SamplingTask(int frames, int previousFrames, int motionDim, int audioDim, int styleDim, int shapeDim) {
        this.frames = Validate.inRange(frames, 1, 100_000, "frames");
        this.motionDim = Validate.inRange(motionDim, 1, 4096, "motionDim");
        x = new float[frames * motionDim];
        prevMotion = new float[Validate.inRange(previousFrames, 1, 100_000, "previousFrames") * motionDim];
        audioFeatures = new float[frames * Validate.inRange(audioDim, 1, 65536, "audioDim")];
        style = new float[Validate.inRange(styleDim, 1, 65536, "styleDim")];
        shape = new float[Validate.inRange(shapeDim, 1, 65536, "shapeDim")];
    }

    /**
     * Starts sampling a window from x_T (already in {@link #x}) with the given schedule.
     *
     * @param timesteps the decreasing DDIM timesteps (not null, not empty; the array is kept, do not modify)
     * @param firstWindow true for a line's first window (use the learnt start features)
     * @param guidance how the guidance branches combine (not null)
     */
    public void begin(int[] timesteps, boolean firstWindow, Guidance guidance) {
        Validate.nonNull(timesteps, "timesteps");
        Validate.nonNull(guidance, "guidance");
        if (timesteps.length == 0) {
            throw new IllegalArgumentException("timesteps must not be empty");
        }
        this.timesteps = timesteps;
        this.firstWindow = firstWindow;
        this.guidance = guidance;
        step = 0;
    }

    /** @return true once every step has run ({@link #x} then holds clean normalised motion) */
    public boolean isDone() {
        return step >= timesteps.length;
    }

    /** @return steps run so far */
    public int stepsDone() {
        return step;
    }

    /** @return steps still to run */
    public int stepsLeft() {
        return timesteps.length - step;
    }

    /** @return the steps of this window's schedule */
    public int steps() {
        return timesteps.length;
    }

    /** @return true for a line's first window */
    public boolean isFirstWindow() {
        return firstWindow;
    }

    int timestep() {
        return timesteps[step];
    }

    /** The next step's timestep, or -1 after the last. */
    int nextTimestep() {
        return step + 1 < timesteps.length ? timesteps[step + 1] : -1;
    }

    Guidance guidance() {
        return guidance;
    }

    void advance() {
        step++;
    }
}
