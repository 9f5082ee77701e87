package dev.parley.motion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.head.MotionLayout;
import dev.parley.testing.TestVoice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The energy jaw frame by frame: closed in silence, open with the voice, its tuning's expressions. */
class EnergyJawTest {

    private static final List<String> NAMES = List.of("lip_close", "mouth_corners_up", "brow_outer_raise");
    private static final MotionLayout LAYOUT = MotionLayout.face(NAMES.size(), 25, "jaw", "neck");
    private static final int HOP = 640; // 16 kHz at 25 fps

    @Test
    void theJawRestsInSilenceOpensWithTheVoiceAndAddsItsTuning() {
        EnergyJaw jaw = new EnergyJaw(LAYOUT, NAMES, new EnergyJaw.Tuning(1f, Map.of("mouth_corners_up", 0.5f),
                Map.of("brow_outer_raise", 0.4f)));
        float[] voice = TestVoice.pcm(1.0, 16000);
        float[] silence = new float[16000];
        float[] frame = new float[LAYOUT.dim()];
        int jawAt = LAYOUT.slice("jaw").offset();
        float maxOpen = 0f;
        for (int k = 0; k < 25; k++) {
            jaw.frame(voice, k * HOP, HOP, frame, 0);
            maxOpen = Math.max(maxOpen, frame[jawAt]);
            assertEquals(0.5f, frame[1], 1e-6f, "held expression while talking");
        }
        assertTrue(maxOpen > 0.1f, "the voice opens the jaw: " + maxOpen);
        for (int k = 0; k < 25; k++) {
            jaw.frame(silence, k * HOP, HOP, frame, 0);
        }
        assertTrue(frame[jawAt] < 1e-3f, "closed after a second of silence: " + frame[jawAt]);
        assertTrue(frame[2] < 1e-3f, "the loudness-linked expression follows: " + frame[2]);
        assertEquals(0f, frame[LAYOUT.slice("head").offset() + 1], "only the chin's pitch moves");
    }

    @Test
    void aTuningNamingAMissingExpressionIsRefusedWithTheHeadsNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EnergyJaw(LAYOUT, NAMES,
                new EnergyJaw.Tuning(1f, Map.of("smirk", 1f), Map.of())));
        assertTrue(e.getMessage().contains("'smirk'") && e.getMessage().contains("lip_close"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EnergyJaw.Tuning(0f, Map.of(), Map.of()));
    }
}
