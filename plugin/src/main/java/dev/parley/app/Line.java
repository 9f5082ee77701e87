package dev.parley.app;

import dev.parley.service.LineJob;

/**
 * One line of dialogue given to a {@link TalkingHead}: its name, options, state and timings. Read it
 * on the render thread (its state changes there). Every line ends exactly once, in FINISHED, STOPPED
 * or FAILED, and its character's listeners hear it once ({@code finished} or {@code failed}).
 */
public final class Line {

    /** Where a line is in its life. */
    public enum State {
        /** Submitted; the first window is being computed. */
        WAITING,
        /** The face is moving with it. */
        SPEAKING,
        /** Played to the end. */
        FINISHED,
        /**
         * Stopped early: by {@link TalkingHead#stop()}, a newer line, {@link ParleyAppState#detach} of the
         * character, or the state's detach or the application's shutdown.
         */
        STOPPED,
        /** Could not be animated; see {@link #error()}. */
        FAILED
    }

    private final String name;
    private final LineOptions options;
    private final long submittedNanos = System.nanoTime();
    private volatile State state = State.WAITING; // read by stream producers on their threads
    private Exception error;
    private long startedNanos;
    int firstWindowSteps;
    LineJob job;

    Line(String name, LineOptions options) {
        this.name = name;
        this.options = options;
    }

    /** @return the line's name, e.g. its audio asset path (not null) */
    public String name() {
        return name;
    }

    /** @return the options in effect (character defaults applied) (not null) */
    public LineOptions options() {
        return options;
    }

    /** @return the current state (not null) */
    public State state() {
        return state;
    }

    /** @return true while waiting or speaking */
    public boolean isActive() {
        return state == State.WAITING || state == State.SPEAKING;
    }

    /** @return why the line failed, or null */
    public Exception error() {
        return error;
    }

    /** @return seconds from submission to the first animated frame, or NaN before it */
    public float startLatency() {
        return startedNanos == 0 ? Float.NaN : (startedNanos - submittedNanos) / 1e9f;
    }

    /** @return the steps the latest window was sampled with (0 before the first) */
    public int lastSteps() {
        return job == null ? 0 : job.lastSteps();
    }

    /**
     * @return true if the line runs on the pack's stream model (a streamed line on a pack with one: short
     *     windows as its audio arrives, docs/runtime.md); false for full windows, other motion sources, and
     *     before Parley's worker has taken the line up. Render thread.
     */
    public boolean onStreamModel() {
        LineJob j = job;
        return j != null && j.onStreamModel();
    }

    /**
     * @return seconds a streamed line's face runs behind its first frames' arrival: {@link
     *     TalkingHead#STREAM_MODEL_DELAY} on the stream model, else {@link TalkingHead#STREAM_DELAY} (a game that
     *     buffers the voice plays it this long after {@code started}). Render thread.
     */
    public float streamDelay() {
        return onStreamModel() ? TalkingHead.STREAM_MODEL_DELAY : TalkingHead.STREAM_DELAY;
    }

    /** @return the steps the first window was sampled with (0 before it) */
    public int firstWindowSteps() {
        return firstWindowSteps;
    }

    void started() {
        state = State.SPEAKING;
        startedNanos = System.nanoTime();
    }

    void ended(State end, Exception cause) {
        state = end;
        error = cause;
    }

    @Override
    public String toString() {
        return "Line[" + name + ", " + state + (error == null ? "" : ", " + error.getMessage()) + "]";
    }
}
