package dev.parley.demo;

import dev.parley.sampler.Guidance;
import dev.parley.util.Validate;

/**
 * What the panel asks of a speech driver for one line.
 *
 * @param style the style preset (not null)
 * @param audioGuidance classifier-free guidance scale over audio (&ge;0; model drivers only)
 * @param styleGuidance classifier-free guidance scale over style (&ge;0; model drivers only)
 * @param guidanceRescale guidance rescale in [0, 1] (model drivers only)
 * @param steps sampling steps (&ge;1; model drivers only)
 * @param distilled true: the pack's default sampler (its distilled student where it has one); false: the
 *     10-step guided teacher (model drivers only)
 * @param streamed true: the line is fed as a stream of 20 ms chunks ({@code sayStream}), as from a TTS engine
 */
public record SpeechSettings(StylePreset style, float audioGuidance, float styleGuidance, float guidanceRescale,
        int steps, boolean distilled, boolean streamed) {

    /**
     * Settings on the pack's default sampler, not streamed.
     *
     * @param style see the record
     * @param audioGuidance see the record
     * @param styleGuidance see the record
     * @param guidanceRescale see the record
     * @param steps see the record
     */
    public SpeechSettings(StylePreset style, float audioGuidance, float styleGuidance, float guidanceRescale,
            int steps) {
        this(style, audioGuidance, styleGuidance, guidanceRescale, steps, true, false);
    }

    /** Validates the fields. */
    public SpeechSettings {
        Validate.nonNull(style, "style");
        if (!(audioGuidance >= 0f) || !(styleGuidance >= 0f)) {
            throw new IllegalArgumentException("guidance scales must be >= 0 but are " + audioGuidance + " and "
                    + styleGuidance);
        }
        Guidance.checkRescale(guidanceRescale);
        Validate.inRange(steps, 1, 1000, "steps");
    }

    /**
     * @param preset another style (not null)
     * @return these settings with that style
     */
    public SpeechSettings withStyle(StylePreset preset) {
        return new SpeechSettings(preset, audioGuidance, styleGuidance, guidanceRescale, steps, distilled, streamed);
    }
}
