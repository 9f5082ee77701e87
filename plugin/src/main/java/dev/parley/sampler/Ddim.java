package dev.parley.sampler;

import dev.parley.util.Validate;
import java.util.Random;

/**
 * The arithmetic of few-step deterministic DDIM with incremental classifier-free guidance, as the
 * Python sampler does it (docs/model-pack.md): the timesteps of a step count, seeded noise, the
 * combination of a window's three guidance branches (no audio, no style), (audio, no style),
 * (audio, style) as {@code x0 = x0(0,0) + wa (x0(a,0) - x0(0,0)) + ws (x0(a,s) - x0(a,0))}, optionally
 * rescaled ({@link Guidance#rescale}), and the DDIM update. {@link BatchStepper} runs it; stateless.
 */
public final class Ddim {

    private Ddim() {
    }

    /**
     * The DDIM timesteps for a step count: {@code t_i = (N-1) - floor(i*N/S)}, i = 0..S-1.
     *
     * @param n the schedule length N (&gt;0)
     * @param steps S (in [1, N])
     * @return a new array of S decreasing timesteps
     */
    public static int[] timesteps(int n, int steps) {
        Validate.inRange(steps, 1, n, "steps");
        int[] t = new int[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = (n - 1) - (int) ((long) i * n / steps);
        }
        return t;
    }

    /**
     * Fills x_T with standard normal noise from a seeded generator (java.util.Random, Box-Muller).
     *
     * @param noise the destination (not null, modified)
     * @param seed the seed
     */
    public static void gaussianNoise(float[] noise, long seed) {
        Random rnd = new Random(seed);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rnd.nextGaussian();
        }
    }

    /**
     * Incremental classifier-free guidance for one window, in float32 as the Python sampler does:
     * {@code x0 = b0 + wa (b1 - b0) + ws (b2 - b1)} over the branches (no audio, no style),
     * (audio, no style), (audio, style) stored one after another. With rescale phi &gt; 0, each motion
     * channel's deviation from its window mean is then scaled by {@code phi * sd(b2) / sd(x0) + 1 - phi}
     * (standard deviations over the window's frames): guidance keeps its direction and level but not
     * the exaggerated amplitude that opens jaws too wide.
     *
     * @param branches the three branches' predictions, each [Tw*M] frame-major (not null, unaffected)
     * @param offset where the first branch starts in {@code branches}
     * @param w values per branch (Tw*M)
     * @param g the scales w_a, w_s and the rescale phi (not null)
     * @param motionDim M
     * @param x0 receives the guided prediction (not null, modified)
     * @param x0Offset where to write in {@code x0}
     */
    static void guide(float[] branches, int offset, int w, Guidance g, int motionDim, float[] x0, int x0Offset) {
        float wa = g.audio();
        float ws = g.style();
        float rescale = g.rescale();
        int audio = offset + w;
        int both = audio + w;
        for (int k = 0; k < w; k++) {
            float a0 = branches[offset + k];
            float a1 = branches[audio + k];
            float a2 = branches[both + k];
            x0[x0Offset + k] = a0 + wa * (a1 - a0) + ws * (a2 - a1);
        }
        if (rescale > 0f) {
            int frames = w / motionDim;
            for (int j = 0; j < motionDim; j++) {
                double mean = mean(x0, x0Offset + j, frames, motionDim);
                double sdGuided = deviation(x0, x0Offset + j, frames, motionDim, mean);
                double meanCond = mean(branches, both + j, frames, motionDim);
                double sdCond = deviation(branches, both + j, frames, motionDim, meanCond);
                double gain = rescale * sdCond / Math.max(sdGuided, 1e-6) + (1.0 - rescale);
                for (int f = 0; f < frames; f++) {
                    int i = x0Offset + f * motionDim + j;
                    x0[i] = (float) (mean + (x0[i] - mean) * gain);
                }
            }
        }
    }

    private static double mean(float[] a, int start, int n, int stride) {
        double s = 0;
        for (int f = 0; f < n; f++) {
            s += a[start + f * stride];
        }
        return s / n;
    }

    /** Sample standard deviation (n - 1), as torch.std. */
    private static double deviation(float[] a, int start, int n, int stride, double mean) {
        double s = 0;
        for (int f = 0; f < n; f++) {
            double d = a[start + f * stride] - mean;
            s += d * d;
        }
        return Math.sqrt(s / Math.max(n - 1, 1));
    }

    /**
     * One deterministic DDIM update of a window, in float64 from the float32 schedule and rounded to
     * float32: {@code eps = (x - sqrt(ab) x0) / sqrt(1 - ab)}, {@code x = sqrt(abNext) x0 + sqrt(1 - abNext) eps}.
     *
     * @param x the window's x_t, replaced by x_next (not null, modified)
     * @param xOffset where the window starts in {@code x}
     * @param x0 the guided prediction (not null, unaffected)
     * @param x0Offset where it starts in {@code x0}
     * @param w values per window (Tw*M)
     * @param ab the cumulative alpha at this step's timestep
     * @param abNext the next step's, or 1 after the last step
     */
    static void update(float[] x, int xOffset, float[] x0, int x0Offset, int w, double ab, double abNext) {
        double sqrtAb = Math.sqrt(ab);
        double sqrt1mAb = Math.sqrt(1.0 - ab);
        double sqrtAbNext = Math.sqrt(abNext);
        double sqrt1mAbNext = Math.sqrt(1.0 - abNext);
        for (int k = 0; k < w; k++) {
            double p = x0[x0Offset + k];
            double eps = (x[xOffset + k] - sqrtAb * p) / sqrt1mAb;
            x[xOffset + k] = (float) (sqrtAbNext * p + sqrt1mAbNext * eps);
        }
    }
}
