package dev.parley.sampler;

import dev.parley.util.Validate;

/**
 * Reusable input buffers for one denoiser run over {@code batch} rows, laid out row-major exactly as
 * the ONNX denoiser's inputs (see docs/model-pack.md). Owned by the sampler that allocated it; the
 * arrays are reused across steps and windows, never reallocated.
 */
public final class DenoiserBatch {

    /** Rows in the batch. */
    public final int batch;
    /** Frames per window (Tw). */
    public final int frames;
    /** Previous frames (Tp). */
    public final int previousFrames;
    /** Motion dimension (M). */
    public final int motionDim;
    /** Audio feature width (Da). */
    public final int audioDim;
    /** Style width (Ds). */
    public final int styleDim;
    /** Shape width. */
    public final int shapeDim;

    /** Noisy motion [batch, frames, motionDim]. */
    public final float[] xt;
    /** Diffusion timestep per row. */
    public final long[] timestep;
    /** Previous motion [batch, previousFrames, motionDim], normalised. */
    public final float[] prevMotion;
    /** 1 where the row is a line's first window (use the learnt start features). */
    public final float[] firstWindow;
    /** Audio features [batch, frames, audioDim]. */
    public final float[] audioFeatures;
    /** 1 = audio condition, 0 = null. */
    public final float[] audioMask;
    /** Style [batch, styleDim]. */
    public final float[] style;
    /** 1 = style condition, 0 = null. */
    public final float[] styleMask;
    /** Shape [batch, shapeDim]. */
    public final float[] shape;

    /**
     * @param batch rows (&gt;0)
     * @param frames Tw (&gt;0)
     * @param previousFrames Tp (&gt;0)
     * @param motionDim M (&gt;0)
     * @param audioDim Da (&gt;0)
     * @param styleDim Ds (&gt;0)
     * @param shapeDim shape width (&gt;0)
     */
    public DenoiserBatch(int batch, int frames, int previousFrames, int motionDim, int audioDim, int styleDim, int shapeDim) {
        this.batch = Validate.inRange(batch, 1, 4096, "batch");
        this.frames = Validate.inRange(frames, 1, 100_000, "frames");
        this.previousFrames = Validate.inRange(previousFrames, 1, 100_000, "previousFrames");
        this.motionDim = Validate.inRange(motionDim, 1, 4096, "motionDim");
        this.audioDim = Validate.inRange(audioDim, 1, 65536, "audioDim");
        this.styleDim = Validate.inRange(styleDim, 1, 65536, "styleDim");
        this.shapeDim = Validate.inRange(shapeDim, 1, 65536, "shapeDim");
        xt = new float[batch * frames * motionDim];
        timestep = new long[batch];
        prevMotion = new float[batch * previousFrames * motionDim];
        firstWindow = new float[batch];
        audioFeatures = new float[batch * frames * audioDim];
        audioMask = new float[batch];
        style = new float[batch * styleDim];
        styleMask = new float[batch];
        shape = new float[batch * shapeDim];
    }

    /** @return values per row of motion: frames &times; motionDim */
    public int windowSize() {
        return frames * motionDim;
    }
}
