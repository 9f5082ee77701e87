package dev.parley.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.pack.PackManifest;
import dev.parley.testing.Golden;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The silence gate on signals whose levels are known, and the committed pack's declaration of it. */
class SilenceGateTest {

    private static final int BLOCK = 160;
    private static final SilenceGate GATE = new SilenceGate(30f, -20f, BLOCK, 5, 2);

    /** 20 blocks of noise 60 dB down, 10 blocks of a full tone, 30 blocks of the noise again. */
    private static float[] toneInNoise() {
        Random random = new Random(3);
        float[] pcm = new float[60 * BLOCK];
        for (int i = 0; i < pcm.length; i++) {
            boolean tone = i >= 20 * BLOCK && i < 30 * BLOCK;
            pcm[i] = tone ? 0.5f * (float) Math.sin(2 * Math.PI * 220 * i / 16000.0)
                    : 3e-4f * (float) random.nextGaussian();
        }
        return pcm;
    }

    @Test
    void theNoiseAroundALineIsSilencedAndTheLineIsNot() {
        float[] pcm = toneInNoise();
        float[] gains = GATE.gains(pcm, 0, pcm.length);
        for (int b = 0; b < gains.length; b++) {
            // kept: the tone (20-29), 2 blocks before it, 5 after it; the 3-block average softens each edge
            float expected = b < 17 || b > 35 ? 0f : b == 17 ? 1f / 3 : b == 35 ? 1f / 3 : b == 18 || b == 34
                    ? 2f / 3 : 1f;
            assertEquals(expected, gains[b], 0f, "block " + b);
        }
        float[] out = new float[pcm.length];
        GATE.apply(pcm, 1, pcm.length, out);
        for (int i = 0; i < pcm.length; i++) {
            int b = i / BLOCK;
            assertEquals(pcm[i] * gains[b], out[i], 0f, "sample " + i);
        }
    }

    @Test
    void aWindowOfNoiseAloneIsSilencedByTheFloor() {
        float[] noise = new float[20 * BLOCK];
        Random random = new Random(5);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = 1e-3f * (float) random.nextGaussian(); // about -60 dBFS: 40 dB under the -20 dBFS floor
        }
        float[] out = new float[noise.length];
        GATE.apply(noise, 1, noise.length, out);
        assertArrayEquals(new float[noise.length], out, 0f);
        // The same noise 40 dB louder (-20 dBFS) is its own reference: kept whole.
        float[] loud = new float[noise.length];
        for (int i = 0; i < noise.length; i++) {
            loud[i] = 100 * noise[i];
        }
        GATE.apply(loud, 1, loud.length, out);
        assertArrayEquals(loud, out, 0f);
    }

    @Test
    void rowsAreGatedOnTheirOwnAndInPlaceWorks() {
        float[] line = toneInNoise();
        float[] two = new float[2 * line.length];
        for (int i = 0; i < line.length; i++) {
            two[i] = line[i] * 1e-3f; // row 1: the same line 60 dB down, above nothing but the floor
            two[line.length + i] = line[i];
        }
        float[] alone = new float[line.length];
        GATE.apply(line, 1, line.length, alone);
        GATE.apply(two, 2, line.length, two);
        for (int i = 0; i < line.length; i++) {
            assertEquals(alone[i], two[line.length + i], 0f, "row 2, sample " + i);
            assertEquals(0f, two[i], 0f, "row 1 (under the floor), sample " + i);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new SilenceGate(0f, -20f, BLOCK, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> new SilenceGate(30f, 1f, BLOCK, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> new SilenceGate(Float.NaN, -20f, BLOCK, 5, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GATE.apply(new float[BLOCK + 1], 1, BLOCK + 1, new float[BLOCK + 1]));
        assertTrue(e.getMessage().contains("multiple of 160"), e.getMessage());
    }

    @Test
    void theCommittedPackDeclaresItsGate() {
        SilenceGate gate = PackManifest.load(Golden.pack().resolve("manifest.json")).silenceGate();
        assertEquals("SilenceGate[25.0 dB below peak, floor -20.0 dBFS, 160-sample blocks, hold 5, lead 2]",
                String.valueOf(gate));
    }
}
