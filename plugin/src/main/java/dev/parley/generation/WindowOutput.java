package dev.parley.generation;

import dev.parley.pack.PackManifest;
import dev.parley.sampler.Ddim;
import dev.parley.sampler.SamplingTask;
import dev.parley.util.Validate;

/**
 * Where a line's generation stands, whichever generator cuts its windows: frames handed over, the window being
 * sampled and how many of its frames are kept, and what conditions each window (the line's seed, style and
 * face shape, the last Tp frames). Takes a finished window: checks it, keeps its frames as the condition and
 * de-normalises them.
 */
final class WindowOutput {

    private final PackManifest manifest;
    private final String name;
    private final MotionHistory history;
    private final long seed;
    private final float[] style;
    private final float[] shape;
    private long framesDone;
    private int windowIndex;
    private int pendingFrames;

    /**
     * @param manifest the pack's manifest (not null)
     * @param name the line's name (not null)
     * @param seed the line's seed
     * @param style the style embedding [style.dim] (not null, unaffected: copied)
     * @param shape the speaker's face shape, beta (not null, finite, length &le; shape.dim, missing components 0;
     *     unaffected: copied)
     * @throws IllegalArgumentException if the shape does not suit the pack (see {@link PackManifest#shapeInput})
     */
    WindowOutput(PackManifest manifest, String name, long seed, float[] style, float[] shape) {
        this.manifest = manifest;
        this.name = name;
        this.seed = seed;
        this.style = Validate.length(style, manifest.styleDim(), "style").clone();
        this.shape = manifest.shapeInput(shape, "'" + name + "'", new float[manifest.shapeDim()]);
        history = new MotionHistory(manifest.previousFrames(), manifest.motion().dim());
    }

    /**
     * Fills the window's seeded noise x_T (see {@link LineGenerator#windowSeed}) and its conditions: the last Tp
     * frames, the style and the face shape.
     *
     * @param task the window's task (not null, modified)
     */
    void condition(SamplingTask task) {
        Ddim.gaussianNoise(task.x, LineGenerator.windowSeed(seed, windowIndex));
        history.copyInto(task.prevMotion);
        System.arraycopy(style, 0, task.style, 0, style.length);
        System.arraycopy(shape, 0, task.shape, 0, shape.length);
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
