package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.pack.PackManifest;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplerKind;
import dev.parley.testing.Golden;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class LineOptionsTest {

    /** The committed pack's manifest with its distilled sampler the default or not. */
    private static PackManifest manifest(boolean distilledDefault) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = (ObjectNode) mapper.readTree(Golden.pack().resolve("manifest.json").toFile());
        ((ObjectNode) json.get("sampling").get("distilled")).put("default", distilledDefault);
        return PackManifest.read(new ByteArrayInputStream(mapper.writeValueAsBytes(json)), "manifest.json");
    }

    @Test
    void unsetGuidanceFallsBackOnTheCharacterThenThePack() throws IOException {
        PackManifest m = manifest(false);
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
    void theDistilledSamplerRunsWhereThePackOrTheLineChoosesIt() throws IOException {
        Guidance folded = Guidance.folded(1.5f, 1.5f);
        PackManifest teacherDefault = manifest(false);
        PackManifest studentDefault = manifest(true);
        assertEquals(folded, LineOptions.DEFAULTS.resolvedGuidance(studentDefault, true));
        assertEquals(folded, LineOptions.DEFAULTS.withSampler(SamplerKind.DISTILLED).resolvedGuidance(teacherDefault,
                true));
        assertEquals(new Guidance(1.5f, 1.5f, 0f), LineOptions.DEFAULTS.withSampler(SamplerKind.DDIM)
                .resolvedGuidance(studentDefault, true));
        // The student knows the pack's guidance only: other guidance runs the guided DDIM, unless asked for.
        assertEquals(new Guidance(2f, 1.5f, 0f), LineOptions.DEFAULTS.withGuidance(2f, 1.5f)
                .resolvedGuidance(studentDefault, true));
        assertEquals(new Guidance(1.5f, 1.5f, 0.7f), LineOptions.DEFAULTS.withGuidanceRescale(0.7f)
                .resolvedGuidance(studentDefault, true));
        // Without a style the guided DDIM runs (the student is trained with one).
        assertEquals(new Guidance(1.5f, 0f, 0f), LineOptions.DEFAULTS.withSampler(SamplerKind.DISTILLED)
                .resolvedGuidance(studentDefault, false));
        // The student's steps are the manifest's; the sampler choice survives orElse and the other with* calls.
        assertEquals(studentDefault.distilledTimesteps().length, LineOptions.DEFAULTS.withSteps(10)
                .resolvedSteps(studentDefault, folded));
        LineOptions chosen = LineOptions.DEFAULTS.withSeed(3).orElse(LineOptions.DEFAULTS.withSampler(SamplerKind.DDIM))
                .withSteps(5).withAdaptive(false);
        assertEquals(SamplerKind.DDIM, chosen.sampler());
        assertEquals(5, chosen.resolvedSteps(studentDefault, chosen.resolvedGuidance(studentDefault, true)));
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
