package dev.parley.generation;

import dev.parley.pack.PackManifest;
import dev.parley.sampler.SamplingTask;
import dev.parley.util.Validate;

/**
 * Where a line's generation stands, whichever generator cuts its windows: frames handed over, the window being
 * sampled and how many of its frames are kept, and the last Tp frames that condition the next window. Takes a
 * finished window: checks it, keeps its frames as the condition and de-normalises them.
 */
final class WindowOutput {

    private final PackManifest manifest;
    private final String name;
    private final MotionHistory history;
    private long framesDone;
    private int windowIndex;
    private int pendingFrames;

    /**
     * @param manifest the pack's manifest (not null)
     * @param name the line's name (not null)
     */
    WindowOutput(PackManifest manifest, String name) {
        this.manifest = manifest;
        this.name = name;
        history = new MotionHistory(manifest.previousFrames(), manifest.motion().dim());
    }

    /** @return frames handed over so far (the line frame the next window's kept frames start at) */
    long framesDone() {
        return framesDone;
    }

    /** @return windows handed over so far (the index of the window being made) */
    int windowIndex() {
        return windowIndex;
    }

    /** @return frames the cut window keeps (0 when none is cut) */
    int pendingFrames() {
        return pendingFrames;
    }

    /** @param frames frames the window just cut keeps (&gt;0) */
    void cut(int frames) {
        pendingFrames = frames;
    }

    /** @param prev receives the condition frames (see {@link MotionHistory#copyInto}) */
    void previous(float[] prev) {
        history.copyInto(prev);
    }

    /**
     * @param task the finished task (not null, done; unaffected)
     * @return the kept frames, de-normalised (not null; a new array owned by the receiver)
     * @throws NonFiniteMotionException if the denoiser produced NaN or infinity, or de-normalising overflowed
     */
    MotionWindow take(SamplingTask task) {
        Validate.nonNull(task, "task");
        if (!task.isDone() || pendingFrames == 0) {
            throw new IllegalStateException("'" + name + "': no finished window to take");
        }
        int n = pendingFrames;
        float[] motion = WindowChecks.denormalise(manifest, name, windowIndex, task.x, n);
        history.remember(task.x, n);
        MotionWindow w = new MotionWindow(framesDone, n, motion, task.steps());
        framesDone += n;
        windowIndex++;
        pendingFrames = 0;
        return w;
    }
}
