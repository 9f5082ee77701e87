package dev.parley.app;

import dev.parley.pack.PackManifest;
import dev.parley.sampler.Guidance;
import dev.parley.util.Validate;

/**
 * How a line is sampled: steps, guidance scales over audio and style and their rescale, a seed, and whether the service
 * may use fewer steps to keep up. Unset values (0 steps, NaN scales, no seed) fall back on the
 * character's defaults, then the pack's. Immutable.
 *
 * @param steps DDIM steps (0 = default)
 * @param audioGuidance the audio guidance scale w_a (NaN = default)
 * @param styleGuidance the style guidance scale w_s (NaN = default)
 * @param guidanceRescale the guidance rescale phi in [0, 1] (NaN = default): higher calms the mouth's
 *     frame-to-frame movement that guidance adds (docs/runtime.md)
 * @param seed the seed, used when {@code seeded}
 * @param seeded whether {@code seed} is set (otherwise each line draws one from the character's generator)
 * @param adaptive whether the service may sample with fewer steps: the first window, to start within
 *     the budget, and later windows when the machine falls behind. Lines that are not adaptive give
 *     the same motion for the same audio, style, options and seed every time.
 */
public record LineOptions(int steps, float audioGuidance, float styleGuidance, float guidanceRescale, long seed,
        boolean seeded, Boolean adaptive) {

    /** Nothing set: everything from the character's defaults and the pack. */
    public static final LineOptions DEFAULTS = new LineOptions(0, Float.NaN, Float.NaN, Float.NaN, 0L, false, null);

    /**
     * Checks the values (each as described in the class comment).
     *
     * @param steps see {@link #steps()}
     * @param audioGuidance see {@link #audioGuidance()}
     * @param styleGuidance see {@link #styleGuidance()}
     * @param guidanceRescale see {@link #guidanceRescale()}
     * @param seed see {@link #seed()}
     * @param seeded see {@link #seeded()}
     * @param adaptive see {@link #adaptive()}
     */
    public LineOptions {
        Validate.inRange(steps, 0, 100_000, "steps");
        if (!Float.isNaN(guidanceRescale)) {
            Guidance.checkRescale(guidanceRescale);
        }
    }

    /**
     * @param count DDIM steps (&gt;0)
     * @return a copy with that value
     */
    public LineOptions withSteps(int count) {
        Validate.inRange(count, 1, 100_000, "count");
        return new LineOptions(count, audioGuidance, styleGuidance, guidanceRescale, seed, seeded, adaptive);
    }

    /**
     * @param audio the audio guidance scale w_a (finite)
     * @param style the style guidance scale w_s (finite)
     * @return a copy with those values
     */
    public LineOptions withGuidance(float audio, float style) {
        if (!Float.isFinite(audio) || !Float.isFinite(style)) {
            throw new IllegalArgumentException("guidance scales must be finite but are " + audio + ", " + style);
        }
        return new LineOptions(steps, audio, style, guidanceRescale, seed, seeded, adaptive);
    }

    /**
     * @param phi the guidance rescale in [0, 1]
     * @return a copy with that value
     */
    public LineOptions withGuidanceRescale(float phi) {
        return new LineOptions(steps, audioGuidance, styleGuidance, Guidance.checkRescale(phi), seed, seeded, adaptive);
    }

    /**
     * @param value the seed
     * @return a copy with that seed
     */
    public LineOptions withSeed(long value) {
        return new LineOptions(steps, audioGuidance, styleGuidance, guidanceRescale, value, true, adaptive);
    }

    /**
     * @param value whether steps may be reduced to keep up
     * @return a copy with that value
     */
    public LineOptions withAdaptive(boolean value) {
        return new LineOptions(steps, audioGuidance, styleGuidance, guidanceRescale, seed, seeded, value);
    }

    /**
     * @param fallback values for what this leaves unset (not null)
     * @return this, with unset values taken from {@code fallback}
     */
    public LineOptions orElse(LineOptions fallback) {
        Validate.nonNull(fallback, "fallback");
        return new LineOptions(steps > 0 ? steps : fallback.steps,
                Float.isNaN(audioGuidance) ? fallback.audioGuidance : audioGuidance,
                Float.isNaN(styleGuidance) ? fallback.styleGuidance : styleGuidance,
                Float.isNaN(guidanceRescale) ? fallback.guidanceRescale : guidanceRescale,
                seeded ? seed : fallback.seed, seeded || fallback.seeded,
                adaptive != null ? adaptive : fallback.adaptive);
    }

    /**
     * @param manifest the pack (not null)
     * @return the effective steps: these or the pack's default, at most the pack's schedule
     */
    public int resolvedSteps(PackManifest manifest) {
        return Math.min(steps > 0 ? steps : manifest.defaultSteps(), manifest.diffusionSteps());
    }

    /**
     * @param manifest the pack (not null)
     * @param styled whether the line has a style (without one the style scale is 0: the null style alone)
     * @return the effective guidance: these values or the pack's defaults
     */
    public Guidance resolvedGuidance(PackManifest manifest, boolean styled) {
        float audio = Float.isNaN(audioGuidance) ? manifest.audioGuidance() : audioGuidance;
        float style = !styled ? 0f : Float.isNaN(styleGuidance) ? manifest.styleGuidance() : styleGuidance;
        return new Guidance(audio, style, Float.isNaN(guidanceRescale) ? manifest.guidanceRescale() : guidanceRescale);
    }

    /** @return the effective adaptivity (true unless set) */
    boolean resolvedAdaptive() {
        return adaptive == null || adaptive;
    }
}
