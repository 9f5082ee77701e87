package dev.parley.generation;

/**
 * The last Tp frames of a line's normalised motion, which condition its next window ({@code prev_motion}).
 * Before Tp frames exist, the line's first frame is repeated in front of those that do (as the models were
 * trained: {@code parley.model.stream.previous_frames}). Owned by one generator; the array is made once.
 */
final class MotionHistory {

    private final int dim;
    private final int frames;
    private final float[] history;
    private boolean empty = true;

    /**
     * @param frames Tp, frames kept (&gt;0)
     * @param dim M, values per frame (&gt;0)
     */
    MotionHistory(int frames, int dim) {
        this.frames = frames;
        this.dim = dim;
        history = new float[frames * dim];
    }

    /**
     * Appends the first {@code n} frames of a window.
     *
     * @param x normalised motion, frame-major (not null, at least n frames, unaffected)
     * @param n frames to take (&gt;0)
     */
    void remember(float[] x, int n) {
        int tp = frames;
        if (n >= tp) {
            System.arraycopy(x, (n - tp) * dim, history, 0, tp * dim);
        } else {
            if (empty) {
                for (int f = 0; f < tp - n; f++) {
                    System.arraycopy(x, 0, history, f * dim, dim);
                }
            } else {
                System.arraycopy(history, n * dim, history, 0, (tp - n) * dim);
            }
            System.arraycopy(x, 0, history, (tp - n) * dim, n * dim);
        }
        empty = false;
    }

    /**
     * @param prev receives the Tp frames (zeros before the first window: the model ignores them there)
     *     (not null, Tp * M long, overwritten)
     */
    void copyInto(float[] prev) {
        System.arraycopy(history, 0, prev, 0, history.length);
    }
}
