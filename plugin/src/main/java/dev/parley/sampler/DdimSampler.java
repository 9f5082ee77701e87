package dev.parley.sampler;

import dev.parley.util.Validate;
import java.util.Random;

/**
 * Few-step deterministic DDIM sampling with incremental classifier-free guidance, for K characters'
 * windows at once. Each step runs the denoiser once on 3K rows: for every character the branches
 * (no audio, no style), (audio, no style), (audio, style), combined as
 * {@code x0 = x0(0,0) + wa (x0(a,0) - x0(0,0)) + ws (x0(a,s) - x0(a,0))}.
 *
 * <p>Not thread-safe: one sampler per worker. All buffers are allocated once and reused.
 */
public final class DdimSampler {

    private final float[] alphasCumprod;
    private final Denoiser denoiser;
    private final int characters;
    private final DenoiserBatch batch;
    private final float[] x;
    private final float[] x0Branches;
    private final float[] x0;

    /**
     * @param alphasCumprod the schedule's cumulative alpha products, decreasing (not null, unaffected)
     * @param denoiser the denoising network (not null)
     * @param characters windows sampled together (&gt;0)
     * @param frames Tw
     * @param previousFrames Tp
     * @param motionDim M
     * @param audioDim Da
     * @param styleDim Ds
     * @param shapeDim shape width
     */
    public DdimSampler(float[] alphasCumprod, Denoiser denoiser, int characters, int frames, int previousFrames,
            int motionDim, int audioDim, int styleDim, int shapeDim) {
        this.alphasCumprod = Validate.nonNull(alphasCumprod, "alphasCumprod").clone();
        this.denoiser = Validate.nonNull(denoiser, "denoiser");
        this.characters = Validate.inRange(characters, 1, 1024, "characters");
        batch = new DenoiserBatch(3 * characters, frames, previousFrames, motionDim, audioDim, styleDim, shapeDim);
        int w = batch.windowSize();
        x = new float[characters * w];
        x0Branches = new float[3 * characters * w];
        x0 = new float[characters * w];
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

    /** @return the input batch to fill before {@link #sample}: conditions per character (not null, reused) */
    public DenoiserBatch batch() {
        return batch;
    }

    /** @return the number of characters sampled per call */
    public int characters() {
        return characters;
    }

    /**
     * Sets one character's conditions in all three of its guidance rows.
     *
     * @param character the character's index in [0, characters)
     * @param prevMotion normalised previous frames [Tp*M] (not null, unaffected; ignored if firstWindow)
     * @param firstWindow true for a line's first window
     * @param audioFeatures [Tw*Da] (not null, unaffected)
     * @param style [Ds] (not null, unaffected)
     * @param shape [shapeDim] (not null, unaffected)
     */
    public void setConditions(int character, float[] prevMotion, boolean firstWindow, float[] audioFeatures,
            float[] style, float[] shape) {
        Validate.inRange(character, 0, characters - 1, "character");
        DenoiserBatch b = batch;
        Validate.length(prevMotion, b.previousFrames * b.motionDim, "prevMotion");
        Validate.length(audioFeatures, b.frames * b.audioDim, "audioFeatures");
        Validate.length(style, b.styleDim, "style");
        Validate.length(shape, b.shapeDim, "shape");
        for (int branch = 0; branch < 3; branch++) {
            int row = 3 * character + branch;
            System.arraycopy(prevMotion, 0, b.prevMotion, row * prevMotion.length, prevMotion.length);
            b.firstWindow[row] = firstWindow ? 1f : 0f;
            System.arraycopy(audioFeatures, 0, b.audioFeatures, row * audioFeatures.length, audioFeatures.length);
            System.arraycopy(style, 0, b.style, row * style.length, style.length);
            System.arraycopy(shape, 0, b.shape, row * shape.length, shape.length);
            b.audioMask[row] = branch >= 1 ? 1f : 0f;
            b.styleMask[row] = branch == 2 ? 1f : 0f;
        }
    }

    /**
     * Runs the sampler for all characters' windows.
     *
     * @param noise x_T for all characters [characters*Tw*M] (not null, unaffected)
     * @param steps S, the number of denoiser runs (in [1, N])
     * @param audioScale w_a
     * @param styleScale w_s
     * @param out receives clean normalised motion [characters*Tw*M] (not null, modified)
     */
    public void sample(float[] noise, int steps, float audioScale, float styleScale, float[] out) {
        Validate.length(noise, x.length, "noise");
        Validate.length(out, x.length, "out");
        int[] ts = timesteps(alphasCumprod.length, steps);
        System.arraycopy(noise, 0, x, 0, x.length);
        int w = batch.windowSize();
        for (int i = 0; i < ts.length; i++) {
            int t = ts[i];
            for (int c = 0; c < characters; c++) {
                for (int branch = 0; branch < 3; branch++) {
                    System.arraycopy(x, c * w, batch.xt, (3 * c + branch) * w, w);
                    batch.timestep[3 * c + branch] = t;
                }
            }
            denoiser.predict(batch, x0Branches);
            guide(audioScale, styleScale);
            double ab = alphasCumprod[t];
            double abNext = i + 1 < ts.length ? alphasCumprod[ts[i + 1]] : 1.0;
            double sqrtAb = Math.sqrt(ab);
            double sqrt1mAb = Math.sqrt(1.0 - ab);
            double sqrtAbNext = Math.sqrt(abNext);
            double sqrt1mAbNext = Math.sqrt(1.0 - abNext);
            for (int k = 0; k < x.length; k++) {
                double eps = (x[k] - sqrtAb * x0[k]) / sqrt1mAb;
                x[k] = (float) (sqrtAbNext * x0[k] + sqrt1mAbNext * eps);
            }
        }
        System.arraycopy(x, 0, out, 0, x.length);
    }

    private void guide(float wa, float ws) {
        int w = batch.windowSize();
        for (int c = 0; c < characters; c++) {
            int none = 3 * c * w;
            int audio = none + w;
            int both = audio + w;
            for (int k = 0; k < w; k++) {
                float a0 = x0Branches[none + k];
                float a1 = x0Branches[audio + k];
                float a2 = x0Branches[both + k];
                x0[c * w + k] = a0 + wa * (a1 - a0) + ws * (a2 - a1);
            }
        }
    }
}
