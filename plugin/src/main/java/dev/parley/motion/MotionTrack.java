package dev.parley.motion;

import dev.parley.head.MotionLayout;
import dev.parley.util.Validate;
import java.util.Arrays;

/**
 * A growing sequence of motion vectors at a fixed frame rate, sampled at any time with linear
 * interpolation between frames (25 fps frames to the render rate). Owned by the render thread:
 * workers hand finished windows over by copying them in through {@link #append}.
 */
public final class MotionTrack {

    private final MotionLayout layout;
    private final int expressionOffset;
    private final int expressionCount;
    private final int jawOffset;
    private final int headOffset;
    private float[] data;
    private int frames;
    private int first;

    /**
     * @param layout the motion vector layout (not null; must have slices "expression", "jaw" and "head")
     * @param initialCapacity frames to allocate up front (&gt;0)
     */
    public MotionTrack(MotionLayout layout, int initialCapacity) {
        this.layout = Validate.nonNull(layout, "layout");
        Validate.inRange(initialCapacity, 1, Integer.MAX_VALUE / 1024, "initialCapacity");
        expressionOffset = layout.slice("expression").offset();
        expressionCount = layout.slice("expression").size();
        jawOffset = layout.slice("jaw").offset();
        headOffset = layout.slice("head").offset();
        data = new float[initialCapacity * layout.dim()];
    }

    /**
     * Appends frames.
     *
     * @param vectors motion vectors, frame-major [count * dim] (not null, unaffected)
     * @param offset where the first frame starts in {@code vectors}
     * @param count frames to append (&ge;0)
     */
    public void append(float[] vectors, int offset, int count) {
        Validate.nonNull(vectors, "vectors");
        int dim = layout.dim();
        if (offset < 0 || count < 0 || offset + count * dim > vectors.length) {
            throw new IllegalArgumentException("cannot take " + count + " frames at offset " + offset
                    + " from " + vectors.length + " values of dimension " + dim);
        }
        int needed = (frames - first + count) * dim;
        if (needed > data.length) {
            data = Arrays.copyOf(data, Math.max(needed, 2 * data.length));
        }
        System.arraycopy(vectors, offset, data, (frames - first) * dim, count * dim);
        frames += count;
    }

    /**
     * Copies retained frames out, e.g. to pass them on changed.
     *
     * @param from the first frame's index since the track's start (retained: not discarded)
     * @param count frames to copy (&ge;0, appended)
     * @param out receives [count * dim] values from {@code offset} (not null, modified)
     * @param offset where the first frame goes in {@code out}
     */
    public void copyFrames(int from, int count, float[] out, int offset) {
        Validate.nonNull(out, "out");
        int dim = layout.dim();
        if (from < first || count < 0 || from + count > frames || offset < 0 || offset + count * dim > out.length) {
            throw new IllegalArgumentException("cannot copy " + count + " frames from frame " + from + " (frames "
                    + first + " to " + frames + " held) into " + out.length + " values at " + offset);
        }
        System.arraycopy(data, (from - first) * dim, out, offset, count * dim);
    }

    /** @return frames appended so far (including any discarded) */
    public int frameCount() {
        return frames;
    }

    /** @return frames still held (appended and not discarded) */
    public int retainedFrames() {
        return frames - first;
    }

    /**
     * Forgets the frames before a time, keeping the track's timing: a long line then holds only the
     * motion around its playhead. Sampling before the first retained frame returns that frame.
     *
     * @param seconds the time before which frames may go (&ge;0); the frame at or just before it is kept
     */
    public void discardBefore(float seconds) {
        int keepFrom = Math.min(frames - 1, (int) Math.floor(seconds * layout.fps()));
        if (keepFrom <= first) {
            return;
        }
        int dim = layout.dim();
        System.arraycopy(data, (keepFrom - first) * dim, data, 0, (frames - keepFrom) * dim);
        first = keepFrom;
    }

    /** @return the duration covered, in seconds */
    public float duration() {
        return frames / (float) layout.fps();
    }

    /** Removes all frames, keeping the allocation. */
    public void clear() {
        frames = 0;
        first = 0;
    }

    /**
     * Samples the track at a time, interpolating linearly between the two nearest frames. Before the
     * first frame the first is used, after the last the last is held.
     *
     * @param seconds the time since the track's first frame
     * @param out receives expression weights and jaw/head rotations (not null, modified; eyes untouched)
     * @return false if the track is empty (out untouched)
     */
    public boolean sample(float seconds, MotionFrame out) {
        Validate.nonNull(out, "out");
        if (frames == 0) {
            return false;
        }
        if (out.expressionCount() != expressionCount) {
            throw new IllegalArgumentException("frame has " + out.expressionCount()
                    + " expression weights but the track has "
                    + expressionCount);
        }
        float f = Math.max(first, seconds * layout.fps());
        int i0 = Math.min((int) f, frames - 1);
        int i1 = Math.min(i0 + 1, frames - 1);
        float t = i0 == i1 ? 0f : f - i0;
        int dim = layout.dim();
        int a = (i0 - first) * dim;
        int b = (i1 - first) * dim;
        for (int k = 0; k < expressionCount; k++) {
            out.setExpression(k, lerp(a + expressionOffset + k, b + expressionOffset + k, t));
        }
        out.setRotation(FaceJoint.JAW, lerp(a + jawOffset, b + jawOffset, t),
                lerp(a + jawOffset + 1, b + jawOffset + 1, t),
                lerp(a + jawOffset + 2, b + jawOffset + 2, t));
        out.setRotation(FaceJoint.HEAD, lerp(a + headOffset, b + headOffset, t),
                lerp(a + headOffset + 1, b + headOffset + 1, t),
                lerp(a + headOffset + 2, b + headOffset + 2, t));
        return true;
    }

    private float lerp(int a, int b, float t) {
        return data[a] + t * (data[b] - data[a]);
    }
}
