package dev.parley.sampler;

import dev.parley.model.ModelDims;
import dev.parley.util.Validate;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One window being sampled step by step: its conditions, its DDIM timesteps, how far it has got, and
 * its current x_t (the clean normalised motion once {@link #isDone()}). Tasks of several characters,
 * at different steps, advance together through a {@link BatchStepper}.
 *
 * <p>Owned by the inference worker. The condition arrays are the task's own, allocated once and reused
 * for every window of a line: fill them, then call {@link #begin}, which gives the window's audio a new
 * key ({@link DenoiserBatch#audioKey}): the denoiser computes the window's audio memory from
 * {@link #audioFeatures} once and reuses it at every step, so the features must not change until the next
 * {@code begin}.
 */
public final class SamplingTask {

    /** Keys of windows' audio features, unique in the process (0 is never one). */
    private static final AtomicLong AUDIO_KEYS = new AtomicLong();

    /** The model's dimensions, which shape every array. */
    public final ModelDims dims;
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
    private long audioKey;
    private Denoiser network;

    /**
     * @param dims the model's dimensions (not null)
     */
    public SamplingTask(ModelDims dims) {
        this.dims = Validate.nonNull(dims, "dims");
        x = new float[dims.windowSize()];
        prevMotion = new float[dims.previousSize()];
        audioFeatures = new float[dims.windowFeatures()];
        style = new float[dims.styleDim()];
        shape = new float[dims.shapeDim()];
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
        audioKey = AUDIO_KEYS.incrementAndGet();
    }

    /**
     * Sets the network this task's guided steps run on instead of the stepper's own: the pack's denoiser with
     * the character's expression adapter merged in. A {@link BatchStepper} runs the tasks of one network
     * together, one run per network. Kept across {@link #begin}: set it for each window.
     *
     * @param denoiser the network (null = the stepper's denoiser; not thread-safe, used by the stepper only)
     */
    public void setDenoiser(Denoiser denoiser) {
        network = denoiser;
    }

    /** @return the network set by {@link #setDenoiser}, or null for the stepper's own */
    public Denoiser denoiser() {
        return network;
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

    /**
     * @return the key of this window's {@link #audioFeatures}, new at each {@link #begin} (see
     *     {@link DenoiserBatch#audioKey}: the denoiser computes the window's audio memory once)
     */
    long audioKey() {
        return audioKey;
    }

    Guidance guidance() {
        return guidance;
    }

    void advance() {
        step++;
    }
}
