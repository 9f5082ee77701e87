package dev.parley.sampler;

/**
 * One denoising pass: predicts clean normalised motion x0 for every row of a batch. Implemented by
 * the ONNX denoiser of a model pack; may be called from a worker thread, never concurrently.
 */
public interface Denoiser {

    /**
     * @param in the batch (not null, unaffected)
     * @param x0 receives [batch, frames, motionDim] predictions (not null, length batch*frames*motionDim, modified)
     */
    void predict(DenoiserBatch in, float[] x0);
}
