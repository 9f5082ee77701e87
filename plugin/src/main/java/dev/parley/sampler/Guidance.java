package dev.parley.sampler;

/**
 * How one line's guidance branches are combined ({@link Ddim#guide}): the audio and style
 * scales and the rescale phi. Immutable.
 *
 * @param audio the audio guidance scale w_a (finite)
 * @param style the style guidance scale w_s (finite)
 * @param rescale the guidance rescale phi in [0, 1] (0: plain guidance)
 */
public record Guidance(float audio, float style, float rescale) {

    /** No guidance: the fully conditioned branch alone. */
    public static final Guidance NONE = new Guidance(1f, 1f, 0f);

    /**
     * Checks the values (each as described in the class comment).
     *
     * @param audio see {@link #audio()}
     * @param style see {@link #style()}
     * @param rescale see {@link #rescale()}
     */
    public Guidance {
        if (!Float.isFinite(audio) || !Float.isFinite(style)) {
            throw new IllegalArgumentException("guidance scales must be finite but are " + audio + ", " + style);
        }
        checkRescale(rescale);
    }

    /**
     * @param phi a guidance rescale
     * @return phi if it is in [0, 1]
     * @throws IllegalArgumentException otherwise (NaN included)
     */
    public static float checkRescale(float phi) {
        if (!(phi >= 0f && phi <= 1f)) {
            throw new IllegalArgumentException("guidance rescale must be in [0, 1] but is " + phi);
        }
        return phi;
    }
}
