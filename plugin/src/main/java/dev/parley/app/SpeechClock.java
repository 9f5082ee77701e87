package dev.parley.app;

/**
 * A line's playback time, in seconds from its start. It follows the audio clock
 * ({@code AudioSource.getPlaybackTime()}) when there is one and falls back on the render loop's time
 * steps when there is none (no audio renderer, headless, streamed PCM the game plays itself, or the
 * moments before OpenAL reports a position). The audio clock is coarse and jumps; this clock advances
 * smoothly by each time step and pulls toward the audio time (a 0.1 s time constant), snapping only
 * when they disagree by more than {@link #SNAP}. It never runs backwards. Render thread only.
 */
public final class SpeechClock {

    /** Disagreement with the audio clock (seconds) beyond which the clock jumps to it. */
    public static final float SNAP = 0.25f;
    private static final float PULL_SECONDS = 0.1f;

    private float time;
    private boolean running;

    /**
     * Starts at {@code -delay} (a negative time plays the line's first frame).
     *
     * @param delay seconds before the line's time 0 (&ge;0)
     */
    public void start(float delay) {
        time = -Math.max(0f, delay);
        running = true;
    }

    /** Stops the clock (time keeps its value). */
    public void stop() {
        running = false;
    }

    /** @return true between {@link #start} and {@link #stop} */
    public boolean isRunning() {
        return running;
    }

    /** @return the current time in seconds */
    public float time() {
        return time;
    }

    /**
     * Advances the clock.
     *
     * @param tpf seconds since the last update (&ge;0)
     * @param audioTime the audio's playback time, or NaN when there is no usable audio clock
     * @return the new time
     */
    public float update(float tpf, float audioTime) {
        if (!running) {
            return time;
        }
        float next = time + Math.max(0f, tpf);
        if (Float.isFinite(audioTime)) {
            float error = audioTime - next;
            if (Math.abs(error) > SNAP) {
                next = audioTime;
            } else {
                next += error * Math.min(1f, tpf / PULL_SECONDS);
            }
        }
        time = Math.max(time, next);
        return time;
    }
}
