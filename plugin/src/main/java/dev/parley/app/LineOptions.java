package dev.parley.app;

import dev.parley.pack.PackManifest;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplerKind;
import dev.parley.util.Validate;

/**
 * How a line is sampled: the sampler, steps, guidance scales over audio and style and their rescale, a seed, and
 * whether the service may use fewer steps to keep up. Unset values (0 steps, NaN scales, no seed, no sampler) fall
 * back on the character's defaults, then the pack's. Immutable.
 *
 * <p>Sampler: a pack with a distilled student ({@code sampling.distilled}, docs/model-pack.md) runs it where the
 * pack makes it the default, or where {@link #withSampler} asks for it; the guided DDIM stays selectable
 * ({@link SamplerKind#DDIM}). The student has the pack's guidance folded into its weights: it ignores steps and
 * guidance, so a line left to the pack's default whose guidance differs from the pack's runs the guided DDIM.
 * Lines without a style always run the guided DDIM (the student is trained with a style), and so do lines of a
 * character with an expression adapter (fitted to the guided DDIM's denoiser) and every line on a pack without
 * a student.
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
 * @param sampler the sampler (null = the pack's default)
 */
public record LineOptions(int steps, float audioGuidance, float styleGuidance, float guidanceRescale, long seed,
        boolean seeded, Boolean adaptive, SamplerKind sampler) {

    /** Nothing set: everything from the character's defaults and the pack. */
    public static final LineOptions DEFAULTS = new LineOptions(0, Float.NaN, Float.NaN, Float.NaN, 0L, false, null,
            null);

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
     * @param sampler see {@link #sampler()}
     */
    public LineOptions {
        Validate.inRange(steps, 0, 100_000, "steps");
        if (!Float.isNaN(guidanceRescale)) {
            Guidance.checkRescale(guidanceRescale);
        }
    }

    /**
     * Options with the pack's default sampler.
     *
     * @param steps see {@link #steps()}
     * @param audioGuidance see {@link #audioGuidance()}
     * @param styleGuidance see {@link #styleGuidance()}
     * @param guidanceRescale see {@link #guidanceRescale()}
     * @param seed see {@link #seed()}
     * @param seeded see {@link #seeded()}
     * @param adaptive see {@link #adaptive()}
     */
    public LineOptions(int steps, float audioGuidance, float styleGuidance, float guidanceRescale, long seed,
            boolean seeded, Boolean adaptive) {
        this(steps, audioGuidance, styleGuidance, guidanceRescale, seed, seeded, adaptive, null);
    }

    /**
     * @param kind the sampler (null = the pack's default)
     * @return a copy with that value
     */
    public LineOptions withSampler(SamplerKind kind) {
        return new LineOptions(steps, audioGuidance, styleGuidance, guidanceRescale, seed, seeded, adaptive, kind);
    }

    /**
     * @param count DDIM steps (&gt;0)
     * @return a copy with that value
     */
    public LineOptions withSteps(int count) {
        Validate.inRange(count, 1, 100_000, "count");
        return new LineOptions(count, audioGuidance, styleGuidance, guidanceRescale, seed, seeded, adaptive, sampler);
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
        return new LineOptions(steps, audio, style, guidanceRescale, seed, seeded, adaptive, sampler);
    }

    /**
     * @param phi the guidance rescale in [0, 1]
     * @return a copy with that value
     */
    public LineOptions withGuidanceRescale(float phi) {
        return new LineOptions(steps, audioGuidance, styleGuidance, Guidance.checkRescale(phi), seed, seeded, adaptive,
                sampler);
    }

    /**
     * @param value the seed
     * @return a copy with that seed
     */
    public LineOptions withSeed(long value) {
        return new LineOptions(steps, audioGuidance, styleGuidance, guidanceRescale, value, true, adaptive, sampler);
    }

    /**
     * @param value whether steps may be reduced to keep up
     * @return a copy with that value
     */
    public LineOptions withAdaptive(boolean value) {
        return new LineOptions(steps, audioGuidance, styleGuidance, guidanceRescale, seed, seeded, value, sampler);
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
                adaptive != null ? adaptive : fallback.adaptive, sampler != null ? sampler : fallback.sampler);
    }

    /**
     * @param manifest the pack (not null)
     * @return the effective steps of the guided DDIM: these or the pack's default, at most the pack's schedule
     */
    public int resolvedSteps(PackManifest manifest) {
        return Math.min(steps > 0 ? steps : manifest.defaultSteps(), manifest.diffusionSteps());
    }

    /**
     * @param manifest the pack (not null)
     * @param guidance the line's effective guidance, {@link #resolvedGuidance} (not null)
     * @return the effective steps: the distilled sampler's for folded guidance, else
     *     {@link #resolvedSteps(PackManifest)}
     */
    public int resolvedSteps(PackManifest manifest, Guidance guidance) {
        return guidance.folded() ? manifest.distilledTimesteps().length : resolvedSteps(manifest);
    }

    /**
     * @param manifest the pack (not null)
     * @param guidance the line's effective guidance, {@link #resolvedGuidance} (not null)
     * @param streamed true for a streamed line ({@code sayStream})
     * @return {@link #resolvedSteps(PackManifest, Guidance)}, except that a streamed line of the guided DDIM
     *     without steps of its own takes the pack's stream model's ({@code stream.steps}) where it has one
     */
    public int resolvedSteps(PackManifest manifest, Guidance guidance, boolean streamed) {
        if (streamed && steps <= 0 && !guidance.folded() && manifest.stream() != null) {
            return Math.min(manifest.stream().steps(), manifest.diffusionSteps());
        }
        return resolvedSteps(manifest, guidance);
    }

    /**
     * @param manifest the pack (not null)
     * @param styled whether the line has a style (without one the style scale is 0: the null style alone)
     * @return the effective guidance: these values or the pack's defaults; folded where the line runs the
     *     pack's distilled sampler (see the class comment)
     */
    public Guidance resolvedGuidance(PackManifest manifest, boolean styled) {
        return resolvedGuidance(manifest, styled, false);
    }

    /**
     * @param manifest the pack (not null)
     * @param styled whether the line has a style (without one the style scale is 0: the null style alone)
     * @param adapted whether the character has an expression adapter: it runs the guided DDIM whatever the
     *     sampler asked (an adapter is fitted to the pack's denoiser, not to the distilled student)
     * @return the effective guidance: these values or the pack's defaults; folded where the line runs the
     *     pack's distilled sampler (see the class comment)
     */
    public Guidance resolvedGuidance(PackManifest manifest, boolean styled, boolean adapted) {
        float audio = Float.isNaN(audioGuidance) ? manifest.audioGuidance() : audioGuidance;
        float style = !styled ? 0f : Float.isNaN(styleGuidance) ? manifest.styleGuidance() : styleGuidance;
        float phi = Float.isNaN(guidanceRescale) ? manifest.guidanceRescale() : guidanceRescale;
        if (styled && !adapted && manifest.hasDistilled() && manifest.guidanceRescale() == 0f) {
            boolean packGuidance = audio == manifest.audioGuidance() && style == manifest.styleGuidance()
                    && phi == manifest.guidanceRescale();
            if (sampler == SamplerKind.DISTILLED || sampler == null && manifest.distilledIsDefault() && packGuidance) {
                return Guidance.folded(manifest.audioGuidance(), manifest.styleGuidance());
            }
        }
        return new Guidance(audio, style, phi);
    }

    /** @return the effective adaptivity (true unless set) */
    boolean resolvedAdaptive() {
        return adaptive == null || adaptive;
    }
}
