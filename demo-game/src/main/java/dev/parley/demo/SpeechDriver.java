package dev.parley.demo;

import dev.parley.app.LineOptions;
import dev.parley.app.MotionSource;

/**
 * The demo's A/B switch: what animates faces. A driver only chooses each line's
 * {@link MotionSource} and options; every line then goes through the character's
 * {@link dev.parley.app.TalkingHead} (one audio clock, one mixer), whichever the driver. Two
 * implementations: {@link ModelSpeechDriver} (Parley's audio-driven model) and {@link EnergyJawDriver}
 * (the plain baseline). Render thread only.
 */
public interface SpeechDriver {

    /** @return a short name for the panel, e.g. {@code energy jaw} (not null) */
    String label();

    /**
     * Prepares a line: the source its motion comes from (a driver may also set the head's style).
     *
     * @param member the character who talks (not null)
     * @param settings style and sampling settings (not null)
     * @return the line's motion source (not null)
     */
    MotionSource source(CastMember member, SpeechSettings settings);

    /**
     * @param settings style and sampling settings (not null)
     * @return the line's options (not null)
     */
    default LineOptions options(SpeechSettings settings) {
        return LineOptions.DEFAULTS;
    }

    /** @return the latest inference figures for the overlay (not null) */
    DriverStats stats();
}
