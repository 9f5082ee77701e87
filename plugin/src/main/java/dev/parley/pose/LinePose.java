package dev.parley.pose;

import dev.parley.features.AudioEncoder;
import dev.parley.features.LineAudio;
import dev.parley.util.Validate;

/**
 * One line's head pose from the {@link PoseAdapter}, made on Parley's inference worker and read by the render
 * thread. The render thread makes the request when the line starts; the worker reads the whole line's audio,
 * encodes it, runs PoseGPT and the VQ-VAE decoder ({@link #make}) and publishes the pose once; the render
 * thread polls {@link #pose()} until it is there and never runs a graph. Lock-free: the pose and the failure are
 * volatile, each written once.
 *
 * <p>A line the model animates carries its request on its {@link dev.parley.service.LineJob}: the worker encodes
 * the line's windows once, for the pose and for the line's expression sampling. A line of another source (energy
 * jaw, a baked clip) gets its own reading of the audio ({@link #withAudio}) and is queued on the service alone.
 */
public final class LinePose {

    private final PoseAdapter adapter;
    private final int style;
    private final String line;
    /** The request's own reading of the line's audio, or null when it reads the line's (set before submitting). */
    private LineAudio audio;
    private volatile float[] pose;
    private volatile RuntimeException failure;
    private volatile boolean cancelled;
    private volatile double makeSeconds;

    /**
     * A request. Render thread.
     *
     * @param adapter the loaded adapter (not null; run on the inference worker from now on)
     * @param style the training style's index (in [0, styleCount))
     * @param line the line's name, for messages (not null)
     */
    public LinePose(PoseAdapter adapter, int style, String line) {
        this.adapter = Validate.nonNull(adapter, "adapter");
        this.style = Validate.inRange(style, 0, adapter.styleCount() - 1, "style");
        this.line = Validate.nonNull(line, "line");
    }

    /**
     * Gives the request its own reading of the line's audio, for a line the worker does not animate. Call before
     * submitting it.
     *
     * @param own a reading of the whole line at the adapter's rate (not null, complete, unread; the worker reads
     *     and closes it)
     * @return this request
     */
    public LinePose withAudio(LineAudio own) {
        this.audio = Validate.nonNull(own, "own");
        return this;
    }

    /** @return the request's own audio ({@link #withAudio}), or null */
    public LineAudio audio() {
        return audio;
    }

    /** @return the adapter (not null) */
    public PoseAdapter adapter() {
        return adapter;
    }

    /** @return the training style's index */
    public int style() {
        return style;
    }

    /** @return the line's name (not null) */
    public String line() {
        return line;
    }

    /**
     * Any thread.
     *
     * @return the line's pose [T * 3], T = the line's motion frames, radians (the worker's array, shared: do not
     *     modify), or null until the worker has made it, and for good if it failed
     */
    public float[] pose() {
        return pose;
    }

    /** @return why the pose could not be made, or null. Any thread. */
    public RuntimeException failure() {
        return failure;
    }

    /** @return true once the pose is made or has failed. Any thread. */
    public boolean isDone() {
        return pose != null || failure != null;
    }

    /** @return seconds the worker spent in {@link #make} (reading, encoding, PoseGPT, decoder); 0 before */
    public double makeSeconds() {
        return makeSeconds;
    }

    /** No pose is needed any more: the worker skips a request it has not started. Any thread; idempotent. */
    public void cancel() {
        cancelled = true;
    }

    /** @return true once cancelled */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Fails the request (the worker could not run it). Worker; the first failure is kept.
     *
     * @param e why (not null)
     */
    public void fail(RuntimeException e) {
        if (failure == null && pose == null) {
            failure = Validate.nonNull(e, "e");
        }
    }

    /**
     * Makes and publishes the pose from the whole line's audio, read without consuming it (the line's windows
     * are cut from it afterwards). Inference worker only; a failure is published, not thrown.
     *
     * @param lineAudio the line's audio at the adapter's rate (not null; complete, nothing read from it yet)
     * @param encoder the worker's session of the audio encoder the adapter reads
     *     ({@link PoseAdapter#audioEncoderSha256}), or null to encode with the adapter's own session
     * @return the line's window features when made with {@code encoder}: [W * windowFrames * featureDim] from the
     *     line's start, window by window as the worker cuts a line ({@link PoseAdapter#windowFeatures}; a new array
     *     owned by the caller); null when made with the adapter's own session, cancelled, or failed
     */
    public float[] make(LineAudio lineAudio, AudioEncoder encoder) {
        Validate.nonNull(lineAudio, "lineAudio");
        if (cancelled) {
            return null;
        }
        long t0 = System.nanoTime();
        try {
            float[] pcm = wholeLine(lineAudio);
            int frames = pcm.length / adapter.samplesPerFrame();
            float[] features = encoder != null ? adapter.windowFeatures(pcm, encoder) : null;
            pose = features != null ? adapter.poseOf(features, frames, style) : adapter.pose(pcm, style);
            return features;
        } catch (RuntimeException e) {
            fail(e);
            return null;
        } finally {
            makeSeconds = (System.nanoTime() - t0) / 1e9;
        }
    }

    /** @return the whole line's samples in whole frames (the last partial one padded with silence, at least one) */
    private float[] wholeLine(LineAudio lineAudio) {
        long samples = lineAudio.samplesReady(Integer.MAX_VALUE);
        if (!lineAudio.isComplete()) {
            throw new IllegalStateException("'" + line + "': the pose adapter needs the whole line's audio but it is"
                    + " still arriving (a streamed line keeps its model's head pose)");
        }
        int spf = adapter.samplesPerFrame();
        long frames = Math.max(1, (samples + spf - 1) / spf);
        if (frames * spf > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("'" + line + "' is too long for the pose adapter: " + samples
                    + " samples");
        }
        float[] pcm = new float[(int) (frames * spf)];
        lineAudio.readAt(0, pcm, pcm.length);
        return pcm;
    }
}
