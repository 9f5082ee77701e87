package dev.parley.service;

import dev.parley.features.LineAudio;
import dev.parley.generation.LineGenerator;
import dev.parley.generation.MotionWindow;
import dev.parley.generation.StreamGenerator;
import dev.parley.pose.LinePose;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.style.Adapter;
import dev.parley.util.Validate;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One line submitted to the {@link InferenceService}: the request, and the lock-free hand-off between
 * the render thread and the worker. The worker publishes finished windows ({@link #pollWindow}), a
 * failure, and completion; the render thread publishes the playhead ({@link #setPlayhead}) and may
 * {@link #cancel}. Every field crossing threads is volatile or a concurrent queue: no locks.
 */
public final class LineJob implements Scheduler.Timing {

    private static final float[] MEAN_FACE = new float[0];

    private final String character;
    private final String name;
    private final LineAudio audio;
    private final float[] style;
    private final float[] shape;
    private final int steps;
    private final Guidance guidance;
    private final long seed;
    private final boolean adaptive;
    private final Adapter adapter;
    private final long submittedNanos = System.nanoTime();

    private final ConcurrentLinkedQueue<MotionWindow> windows = new ConcurrentLinkedQueue<>();
    private volatile Exception failure;
    private volatile boolean done;
    private volatile boolean cancelled;
    private volatile float playhead;
    private volatile boolean playing;
    private volatile int lastSteps;
    private volatile boolean onStreamModel;
    private volatile long budgetStartNanos;

    // Worker only: one of the generators.
    LineGenerator generator;
    StreamGenerator stream;
    SamplingTask task;
    boolean degradedLogged;
    /** The adapted denoiser the line runs on, or null for the plain one. */
    Denoiser network;
    /**
     * The line's window features, encoded with its head pose when the line was admitted ([W * Tw * Da] from the
     * line's start; the line's windows begin from them instead of encoding again), or null.
     */
    float[] features;
    /** The line's head pose request, or null (set before the job is submitted). */
    private LinePose headPose;

    /**
     * A line of no particular character (tools, tests), with the mean face shape.
     *
     * @param audio the line's audio (not null; the job's consumer takes it over)
     * @param style the style embedding (not null, unaffected: copied)
     * @param steps sampling steps requested (&gt;0)
     * @param guidance how the guidance branches combine (not null)
     * @param seed the line's seed
     * @param adaptive whether the service may sample with fewer steps to keep up
     */
    public LineJob(LineAudio audio, float[] style, int steps, Guidance guidance, long seed, boolean adaptive) {
        this("unnamed character", audio, style, steps, guidance, seed, adaptive);
    }

    /**
     * A line with the mean face shape.
     *
     * @param character the speaking character's name, for messages (not null)
     * @param audio the line's audio (not null; the job's consumer takes it over)
     * @param style the style embedding (not null, unaffected: copied)
     * @param steps sampling steps requested (&gt;0)
     * @param guidance how the guidance branches combine (not null)
     * @param seed the line's seed
     * @param adaptive whether the service may sample with fewer steps to keep up (the first window
     *     to start fast, later ones when the machine falls behind); false makes the line's motion depend
     *     on nothing but its inputs and seed
     */
    public LineJob(String character, LineAudio audio, float[] style, int steps, Guidance guidance, long seed,
            boolean adaptive) {
        this(character, audio, style, MEAN_FACE, steps, guidance, seed, adaptive);
    }

    /**
     * @param character the speaking character's name, for messages (not null)
     * @param audio the line's audio (not null; the job's consumer takes it over)
     * @param style the style embedding (not null, unaffected: copied)
     * @param shape the character's face shape, beta (not null, length &le; the pack's shape.dim, missing
     *     components 0; empty for the mean face; unaffected: copied). A shape that does not suit the pack
     *     fails the line.
     * @param steps sampling steps requested (&gt;0)
     * @param guidance how the guidance branches combine (not null)
     * @param seed the line's seed
     * @param adaptive see {@link #LineJob(String, LineAudio, float[], int, Guidance, long, boolean)}
     */
    public LineJob(String character, LineAudio audio, float[] style, float[] shape, int steps, Guidance guidance,
            long seed, boolean adaptive) {
        this(character, audio, style, shape, steps, guidance, seed, adaptive, null);
    }

    /**
     * @param character the speaking character's name, for messages (not null)
     * @param audio the line's audio (not null; the job's consumer takes it over)
     * @param style the style embedding (not null, unaffected: copied)
     * @param shape see {@link #LineJob(String, LineAudio, float[], float[], int, Guidance, long, boolean)}
     * @param steps sampling steps requested (&gt;0)
     * @param guidance how the guidance branches combine (not null; an adapted line runs the guided DDIM: folded
     *     guidance is run unfolded at its scales)
     * @param seed the line's seed
     * @param adaptive see {@link #LineJob(String, LineAudio, float[], int, Guidance, long, boolean)}
     * @param adapter the character's expression adapter (null = the plain model; the pack's check of it is the
     *     caller's, {@link dev.parley.style.Adapter#checkPack}: one the worker cannot merge runs plain, logged)
     */
    public LineJob(String character, LineAudio audio, float[] style, float[] shape, int steps, Guidance guidance,
            long seed, boolean adaptive, Adapter adapter) {
        this.character = Validate.nonNull(character, "character");
        this.audio = Validate.nonNull(audio, "audio");
        this.name = audio.name();
        this.style = Validate.nonNull(style, "style").clone();
        this.shape = Validate.nonNull(shape, "shape").clone();
        this.steps = Validate.inRange(steps, 1, 100_000, "steps");
        this.guidance = Validate.nonNull(guidance, "guidance");
        this.seed = seed;
        this.adaptive = adaptive;
        this.adapter = adapter;
    }

    /**
     * Asks the worker for the line's head pose too: when it admits the line it reads the whole line's audio, encodes
     * it and makes the pose ({@link LinePose#make}); the line's windows then reuse those features where the pose
     * adapter reads the pack's own encoder. Call before {@link InferenceService#submit(LineJob)}.
     *
     * @param pose the request (not null; published through it)
     * @return this job
     */
    public LineJob withHeadPose(LinePose pose) {
        headPose = Validate.nonNull(pose, "pose");
        return this;
    }

    /** @return the line's head pose request, or null */
    public LinePose headPose() {
        return headPose;
    }

    /** @return the character's expression adapter, or null for the plain model */
    public Adapter adapter() {
        return adapter;
    }

    /** @return the line's name (not null) */
    public String name() {
        return name;
    }

    /** @return the speaking character's name (not null) */
    public String character() {
        return character;
    }

    /** @return the line's audio (not null) */
    public LineAudio audio() {
        return audio;
    }

    /**
     * Takes the next finished window. Render thread.
     *
     * @return the window (ownership passes to the caller), or null if none is ready
     */
    public MotionWindow pollWindow() {
        return windows.poll();
    }

    /** @return why the line failed, or null */
    public Exception failure() {
        return failure;
    }

    /** @return true once every window has been made and handed over (there may still be some to poll) */
    public boolean isGenerationDone() {
        return done;
    }

    /** @return true if the line was cancelled */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Tells the worker where playback is, for lead control and deadlines. Render thread.
     *
     * @param seconds the line's playback time
     * @param isPlaying true once the line's playback has started
     */
    public void setPlayhead(float seconds, boolean isPlaying) {
        playhead = seconds;
        playing = isPlaying;
    }

    /** Stops generation; the worker drops the line at its next step. Any thread. */
    public void cancel() {
        cancelled = true;
    }

    /** @return the steps the last window was sampled with (0 before the first) */
    public int lastSteps() {
        return lastSteps;
    }

    /**
     * @return the steps requested per window: on the stream model its generator's (a line of the distilled
     *     sampler runs the guided DDIM there, at {@code stream.steps})
     */
    @Override
    public int steps() {
        StreamGenerator g = stream;
        return g != null ? g.steps() : steps;
    }

    /** @return windows handed over so far (worker only) */
    @Override
    public int windowsDone() {
        return stream != null ? stream.windowsDone() : generator == null ? 0 : generator.windowsDone();
    }

    /** @return frames handed over so far (worker only) */
    @Override
    public long framesDone() {
        return stream != null ? stream.framesDone() : generator == null ? 0 : generator.framesDone();
    }

    /**
     * @return true once the worker runs the line on the pack's stream model (short windows as its audio
     *     arrives); false before the worker admits it, and for lines on full windows. Any thread.
     */
    public boolean onStreamModel() {
        return onStreamModel;
    }

    /** Marks the line as running on the stream model. Worker. */
    void runOnStreamModel() {
        onStreamModel = true;
    }

    /** Starts the first-window budget now (a stream model line's first window was cut). Worker. */
    void startBudget(long nanos) {
        budgetStartNanos = nanos;
    }

    @Override
    public long budgetStartNanos() {
        return budgetStartNanos != 0 ? budgetStartNanos : submittedNanos;
    }

    float[] style() {
        return style;
    }

    /** @return the face shape (beta) the line is conditioned on: a new array, empty for the mean face */
    public float[] shape() {
        return shape.clone();
    }

    /** @return how the line's guidance branches combine, as requested (not null; folded: the distilled sampler) */
    public Guidance guidance() {
        return guidance;
    }

    long seed() {
        return seed;
    }

    @Override
    public boolean isAdaptive() {
        return adaptive;
    }

    @Override
    public float playhead() {
        return playhead;
    }

    @Override
    public boolean isPlaying() {
        return playing;
    }

    @Override
    public long submittedNanos() {
        return submittedNanos;
    }

    void publish(MotionWindow w) {
        lastSteps = w.steps();
        windows.add(w);
    }

    void fail(Exception e) {
        if (failure == null) {
            failure = e;
        }
        done = true;
    }

    void complete() {
        done = true;
    }
}
