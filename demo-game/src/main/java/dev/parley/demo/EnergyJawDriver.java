package dev.parley.demo;

import dev.parley.app.MotionSource;
import dev.parley.motion.EnergyJaw;
import dev.parley.util.Validate;

/**
 * The plain baseline: the jaw follows loudness ({@link MotionSource#energyJaw}), tuned by the
 * character's style preset (jaw gain, held and loudness-linked expressions). No model, nothing to
 * wait for.
 */
public final class EnergyJawDriver implements SpeechDriver {

    @Override
    public String label() {
        return "energy jaw";
    }

    @Override
    public MotionSource source(CastMember member, SpeechSettings settings) {
        StylePreset p = Validate.nonNull(settings, "settings").style();
        return MotionSource.energyJaw(new EnergyJaw.Tuning(p.jawGain(), p.held(), p.withLoudness()));
    }

    @Override
    public DriverStats stats() {
        return new DriverStats("energy jaw (no model)", Float.NaN, Float.NaN);
    }
}
