package dev.parley.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DdimSamplerTest {

    /** The cosine schedule of the packs (Nichol and Dhariwal), for tests that need a realistic one. */
    static float[] cosineSchedule(int n) {
        float[] ab = new float[n];
        double s = 0.008;
        double f0 = Math.pow(Math.cos(s / (1 + s) * Math.PI / 2), 2);
        for (int t = 0; t < n; t++) {
            double f = Math.pow(Math.cos(((t + 1.0) / n + s) / (1 + s) * Math.PI / 2), 2);
            ab[t] = (float) Math.max(f / f0, 1e-5);
        }
        return ab;
    }

    @Test
    void timestepsFollowTheContract() {
        assertArrayEquals(new int[] {499, 449, 399, 349, 299, 249, 199, 149, 99, 49}, DdimSampler.timesteps(500, 10));
        assertArrayEquals(new int[] {499}, DdimSampler.timesteps(500, 1));
        assertEquals(500, DdimSampler.timesteps(500, 500).length);
        assertEquals(0, DdimSampler.timesteps(500, 500)[499]);
    }

    /** A denoiser that is certain: each branch predicts its own constant. */
    private static Denoiser constants(float none, float audio, float both) {
        return (in, x0) -> {
            int w = in.windowSize();
            for (int row = 0; row < in.batch; row++) {
                float v = in.audioMask[row] == 0f ? none : in.styleMask[row] == 0f ? audio : both;
                java.util.Arrays.fill(x0, row * w, (row + 1) * w, v);
            }
        };
    }

    @Test
    void incrementalGuidanceCombinesTheThreeBranches() {
        DdimSampler s = new DdimSampler(cosineSchedule(500), constants(1f, 3f, 4f), 2, 4, 2, 3, 5, 2, 1);
        for (int c = 0; c < 2; c++) {
            s.setConditions(c, new float[6], c == 0, new float[20], new float[2], new float[1]);
        }
        float[] noise = new float[2 * 4 * 3];
        DdimSampler.gaussianNoise(noise, 7);
        float[] out = new float[noise.length];
        s.sample(noise, 10, new Guidance(2f, 0.5f, 0f), out);
        // x0 = 1 + 2 (3 - 1) + 0.5 (4 - 3) = 5.5, and the last DDIM step lands exactly on x0.
        for (float v : out) {
            assertEquals(5.5f, v, 1e-4f);
        }
    }

    @Test
    void guidanceRescaleKeepsTheMeanAndTakesTheConditionalSpread() {
        int frames = 5;
        int dim = 2;
        int w = frames * dim;
        float[] branches = new float[3 * w];
        for (int f = 0; f < frames; f++) {
            for (int j = 0; j < dim; j++) {
                branches[f * dim + j] = 0.1f * f;               // no audio, no style
                branches[w + f * dim + j] = 0.5f * f + j;       // audio
                branches[2 * w + f * dim + j] = 0.4f * f + j;   // audio and style
            }
        }
        float[] plain = new float[w];
        DdimSampler.guide(branches, 0, w, new Guidance(2f, 1.5f, 0f), dim, plain, 0);
        float[] full = new float[w];
        DdimSampler.guide(branches, 0, w, new Guidance(2f, 1.5f, 1f), dim, full, 0);
        float[] half = new float[w];
        DdimSampler.guide(branches, 0, w, new Guidance(2f, 1.5f, 0.5f), dim, half, 0);
        for (int j = 0; j < dim; j++) {
            // Plain slope: 0.1 + 2 (0.5 - 0.1) + 1.5 (0.4 - 0.5) = 0.75 per frame; the conditional's 0.4.
            assertEquals(mean(plain, j, frames, dim), mean(full, j, frames, dim), 1e-5);
            assertEquals(0.4f, full[dim + j] - full[j], 1e-5f);
            assertEquals(0.5f * 0.4f + 0.5f * 0.75f, half[dim + j] - half[j], 1e-5f);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Guidance(2f, 1.5f, 1.5f));
    }

    private static double mean(float[] a, int channel, int frames, int dim) {
        double s = 0;
        for (int f = 0; f < frames; f++) {
            s += a[f * dim + channel];
        }
        return s / frames;
    }

    @Test
    void samplingIsDeterministicForASeed() {
        Denoiser shrink = (in, x0) -> {
            for (int i = 0; i < x0.length; i++) {
                x0[i] = 0.5f * in.xt[i] + 0.1f * in.audioMask[i / in.windowSize()];
            }
        };
        float[] a = run(shrink, 123);
        float[] b = run(shrink, 123);
        float[] c = run(shrink, 124);
        assertArrayEquals(a, b);
        assertEquals(false, java.util.Arrays.equals(a, c));
    }

    private static float[] run(Denoiser d, long seed) {
        DdimSampler s = new DdimSampler(cosineSchedule(500), d, 1, 4, 2, 3, 5, 2, 1);
        s.setConditions(0, new float[6], true, new float[20], new float[2], new float[1]);
        float[] noise = new float[12];
        DdimSampler.gaussianNoise(noise, seed);
        float[] out = new float[12];
        s.sample(noise, 5, new Guidance(1.5f, 1.5f, 0f), out);
        return out;
    }

    @Test
    void branchesCarryTheirMasksAndConditions() {
        DdimSampler s = new DdimSampler(cosineSchedule(50), constants(0, 0, 0), 1, 2, 1, 1, 1, 1, 1);
        s.setConditions(0, new float[] {0.7f}, false, new float[] {0.1f, 0.2f}, new float[] {0.9f}, new float[] {-1f});
        DenoiserBatch b = s.batch();
        assertArrayEquals(new float[] {0, 1, 1}, b.audioMask);
        assertArrayEquals(new float[] {0, 0, 1}, b.styleMask);
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.1f, 0.2f, 0.1f, 0.2f}, b.audioFeatures);
        assertArrayEquals(new float[] {0.7f, 0.7f, 0.7f}, b.prevMotion);
    }
}
