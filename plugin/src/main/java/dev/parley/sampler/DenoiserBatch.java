package dev.parley.sampler;

import dev.parley.model.ModelDims;
import dev.parley.util.Validate;

/**
 * Reusable input buffers for one denoiser run over {@code batch} rows, laid out row-major exactly as
 * the ONNX denoiser's inputs (see docs/model-pack.md). Owned by the sampler that allocated it; the
 * arrays are reused across steps and windows, never reallocated.
 */
public final class DenoiserBatch {

    /** Rows in the batch. */
    public final int batch;
    /** The model's dimensions, which shape every array. */
    public final ModelDims dims;

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
    /**
     * Identifies each row's audio features: rows with the same nonzero key carry the same features, so a
     * denoiser may reuse what it computed from them in earlier runs (the audio memory, once per window
     * rather than once per step). 0: unknown, nothing is reused. The sampler sets them.
     */
    public final long[] audioKey;
    /** Style [batch, styleDim]. */
    public final float[] style;
    /** 1 = style condition, 0 = null. */
    public final float[] styleMask;
    /** Shape [batch, shapeDim]. */
    public final float[] shape;

    /**
     * @param batch rows (in [1, 4096])
     * @param dims the model's dimensions (not null)
     */
    public DenoiserBatch(int batch, ModelDims dims) {
        this.batch = Validate.inRange(batch, 1, 4096, "batch");
        this.dims = Validate.nonNull(dims, "dims");
        xt = new float[batch * dims.windowSize()];
        timestep = new long[batch];
        prevMotion = new float[batch * dims.previousSize()];
        firstWindow = new float[batch];
        audioFeatures = new float[batch * dims.windowFeatures()];
        audioMask = new float[batch];
        audioKey = new long[batch];
        style = new float[batch * dims.styleDim()];
        styleMask = new float[batch];
        shape = new float[batch * dims.shapeDim()];
    }

    /** @return values per row of motion: frames &times; motionDim */
    public int windowSize() {
        return dims.windowSize();
    }
}
