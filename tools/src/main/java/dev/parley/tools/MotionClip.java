package dev.parley.tools;

import dev.parley.util.Validate;

/**
 * A reference motion clip for style extraction: {@code frames} motion vectors of {@code dim} values at
 * 25 fps (for the Parley head: expression 50 | jaw axis-angle 3 | neck axis-angle 3, de-normalised,
 * as the corpus stores them). Read from .npz, .npy and .csv files by {@link MotionReader}.
 *
 * @param source the file, for messages (not null)
 * @param frames T (&gt;0)
 * @param dim values per frame (&gt;0)
 * @param data frame-major [T * dim] (not null; owned by this record, do not modify)
 */
public record MotionClip(String source, int frames, int dim, float[] data) {

    /** Frames per second every format is read at. */
    public static final int FPS = 25;

    /** Checks the values. */
    public MotionClip {
        Validate.nonNull(source, "source");
        Validate.nonNull(data, "data");
        if (frames <= 0 || dim <= 0 || data.length != (long) frames * dim) {
            throw new IllegalArgumentException(source + ": " + data.length + " values do not make " + frames
                    + " frames of " + dim);
        }
    }

    /**
     * @param first the first frame (&ge;0)
     * @param count frames (&gt;0, first + count &le; frames)
     * @return those frames, frame-major (a new array)
     */
    public float[] slice(int first, int count) {
        float[] out = new float[count * dim];
        System.arraycopy(data, first * dim, out, 0, out.length);
        return out;
    }
}
