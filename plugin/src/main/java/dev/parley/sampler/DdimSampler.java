package dev.parley.sampler;

import dev.parley.util.Validate;
import java.util.Arrays;
import java.util.Random;

/**
 * Few-step deterministic DDIM sampling with incremental classifier-free guidance, for K characters'
 * windows at once. Each step runs the denoiser once on 3K rows: for every character the branches
 * (no audio, no style), (audio, no style), (audio, style), combined as
 * {@code x0 = x0(0,0) + wa (x0(a,0) - x0(0,0)) + ws (x0(a,s) - x0(a,0))}, then optionally rescaled so
 * that guidance sharpens without exaggerating amplitude ({@link Guidance#rescale}, {@link #guide}).
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
    private final Guidance[] guidance;
    private final int motionDim;

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
        guidance = new Guidance[characters];
        this.motionDim = motionDim;
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
     * Runs the sampler for all characters' windows with the same guidance for every character.
     *
     * @param noise x_T for all characters [characters*Tw*M] (not null, unaffected)
     * @param steps S, the number of denoiser runs (in [1, N])
     * @param guidance how every character's guidance branches combine (not null)
     * @param out receives clean normalised motion [characters*Tw*M] (not null, modified)
     */
    public void sample(float[] noise, int steps, Guidance guidance, float[] out) {
        Arrays.fill(this.guidance, Validate.nonNull(guidance, "guidance"));
        run(noise, steps, out);
    }

    /**
     * Runs the sampler for all characters' windows, each with its own guidance.
     *
     * @param noise x_T for all characters [characters*Tw*M] (not null, unaffected)
     * @param steps S, the number of denoiser runs (in [1, N])
     * @param guidance per character (not null, length characters, no null element, unaffected)
     * @param out receives clean normalised motion [characters*Tw*M] (not null, modified)
     */
    public void sample(float[] noise, int steps, Guidance[] guidance, float[] out) {
        Validate.nonNull(guidance, "guidance");
        if (guidance.length != characters) {
            throw new IllegalArgumentException("guidance must have " + characters + " elements but has " + guidance.length);
        }
        for (int c = 0; c < characters; c++) {
            this.guidance[c] = Validate.nonNull(guidance[c], "guidance[" + c + "]");
        }
        run(noise, steps, out);
    }

    private void run(float[] noise, int steps, float[] out) {
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
            double ab = alphasCumprod[t];
            double abNext = i + 1 < ts.length ? alphasCumprod[ts[i + 1]] : 1.0;
            for (int c = 0; c < characters; c++) {
                guide(x0Branches, 3 * c * w, w, guidance[c], motionDim, x0, c * w);
                update(x, c * w, x0, c * w, w, ab, abNext);
            }
        }
        System.arraycopy(x, 0, out, 0, x.length);
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
                double sdCond = deviation(branches, both + j, frames, motionDim, mean(branches, both + j, frames, motionDim));
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
