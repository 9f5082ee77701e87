package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.pack.PackManifest;
import dev.parley.sampler.Guidance;
import dev.parley.testing.Golden;
import org.junit.jupiter.api.Test;

class LineOptionsTest {

    @Test
    void unsetGuidanceFallsBackOnTheCharacterThenThePack() {
        PackManifest m = PackManifest.load(Golden.pack().resolve("manifest.json"));
        Guidance pack = new Guidance(m.audioGuidance(), m.styleGuidance(), m.guidanceRescale());
        assertEquals(pack, LineOptions.DEFAULTS.resolvedGuidance(m, true));

        LineOptions character = LineOptions.DEFAULTS.withGuidanceRescale(0.5f);
        LineOptions line = LineOptions.DEFAULTS.withGuidance(2f, 1f).orElse(character);
        assertEquals(new Guidance(2f, 1f, 0.5f), line.resolvedGuidance(m, true));
        assertEquals(new Guidance(2f, 1f, 0.7f), LineOptions.DEFAULTS.withGuidance(2f, 1f).withGuidanceRescale(0.7f)
                .orElse(character).resolvedGuidance(m, true));
        // Without a style the style branch gets no weight.
        assertEquals(new Guidance(2f, 0f, 0.5f), line.resolvedGuidance(m, false));
    }

    @Test
    void aRescaleOutsideZeroToOneIsRefused() {
        for (float bad : new float[] {-0.1f, 1.5f, Float.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LineOptions.DEFAULTS.withGuidanceRescale(bad));
            assertTrue(e.getMessage().contains("guidance rescale must be in [0, 1] but is " + bad), e.getMessage());
        }
    }
}
