package dev.parley.sampler;

/**
 * How one line's guidance branches are combined ({@link Ddim#guide}): the audio and style
 * scales and the rescale phi; or, when {@code folded}, no branches at all: a distilled student
 * (the pack's {@code sampling.distilled}) has the pack's guidance in its weights and runs one row per
 * window and step. Immutable.
 *
 * @param audio the audio guidance scale w_a (finite; for a folded line, the scale folded in)
 * @param style the style guidance scale w_s (finite; for a folded line, the scale folded in)
 * @param rescale the guidance rescale phi in [0, 1] (0: plain guidance; 0 for a folded line)
 * @param folded true to run the pack's distilled denoiser, one row per step, instead of three branches
 */
public record Guidance(float audio, float style, float rescale, boolean folded) {

    /** No guidance: the fully conditioned branch alone. */
    public static final Guidance NONE = new Guidance(1f, 1f, 0f);

    /**
     * Checks the values (each as described in the class comment).
     *
     * @param audio see {@link #audio()}
     * @param style see {@link #style()}
     * @param rescale see {@link #rescale()}
     * @param folded see {@link #folded()}
     */
    public Guidance {
        if (!Float.isFinite(audio) || !Float.isFinite(style)) {
            throw new IllegalArgumentException("guidance scales must be finite but are " + audio + ", " + style);
        }
        checkRescale(rescale);
        if (folded && rescale != 0f) {
            throw new IllegalArgumentException("a folded (distilled) sampler has no guidance rescale but got "
                    + rescale);
        }
    }

    /**
     * Guidance over three branches (not folded).
     *
     * @param audio see {@link #audio()}
     * @param style see {@link #style()}
     * @param rescale see {@link #rescale()}
     */
    public Guidance(float audio, float style, float rescale) {
        this(audio, style, rescale, false);
    }

    /**
     * @param audio the audio scale folded into the student (finite)
     * @param style the style scale folded into the student (finite)
     * @return guidance that runs the pack's distilled denoiser, one row per window and step
     */
    public static Guidance folded(float audio, float style) {
        return new Guidance(audio, style, 0f, true);
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
