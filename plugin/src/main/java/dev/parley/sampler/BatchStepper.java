package dev.parley.sampler;

import dev.parley.util.Validate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Advances several windows by one DDIM step with a single denoiser run: each task contributes its
 * three guidance rows at its own timestep (the denoiser takes a timestep per row), so windows of
 * different characters, started at different times and sampled with different step counts, share
 * runs. The numbers are those of {@link DdimSampler}, operation for operation.
 *
 * <p>Not thread-safe: owned by the inference worker. Buffers are allocated once per batch size.
 */
public final class BatchStepper {

    private final float[] alphasCumprod;
    private final Denoiser denoiser;
    private final int frames;
    private final int previousFrames;
    private final int motionDim;
    private final int audioDim;
    private final int styleDim;
    private final int shapeDim;
    private final Map<Integer, DenoiserBatch> batches = new HashMap<>();
    private final Map<Integer, float[]> outputs = new HashMap<>();
    private final float[] x0;

    /**
     * @param alphasCumprod the schedule's cumulative alpha products (not null, unaffected)
     * @param denoiser the network (not null)
     * @param frames Tw
     * @param previousFrames Tp
     * @param motionDim M
     * @param audioDim Da
     * @param styleDim Ds
     * @param shapeDim shape width
     */
    public BatchStepper(float[] alphasCumprod, Denoiser denoiser, int frames, int previousFrames, int motionDim,
            int audioDim, int styleDim, int shapeDim) {
        this.alphasCumprod = Validate.nonNull(alphasCumprod, "alphasCumprod").clone();
        this.denoiser = Validate.nonNull(denoiser, "denoiser");
        this.frames = frames;
        this.previousFrames = previousFrames;
        this.motionDim = motionDim;
        this.audioDim = audioDim;
        this.styleDim = styleDim;
        this.shapeDim = shapeDim;
        x0 = new float[frames * motionDim];
    }

    /**
     * Runs the denoiser once over every task's current step and advances each task by one step.
     *
     * @param tasks tasks not yet done, with the dimensions of this stepper (not null, not empty; each modified)
     */
    public void step(List<SamplingTask> tasks) {
        Validate.nonNull(tasks, "tasks");
        int k = tasks.size();
        if (k == 0) {
            throw new IllegalArgumentException("tasks must not be empty");
        }
        DenoiserBatch b = batches.computeIfAbsent(3 * k,
                rows -> new DenoiserBatch(rows, frames, previousFrames, motionDim, audioDim, styleDim, shapeDim));
        float[] branches = outputs.computeIfAbsent(3 * k, rows -> new float[rows * frames * motionDim]);
        int w = b.windowSize();
        for (int c = 0; c < k; c++) {
            SamplingTask t = tasks.get(c);
            if (t.isDone() || t.x.length != w || t.audioFeatures.length != frames * audioDim) {
                throw new IllegalArgumentException("task " + c + " is done or has other dimensions");
            }
            for (int branch = 0; branch < 3; branch++) {
                int row = 3 * c + branch;
                System.arraycopy(t.x, 0, b.xt, row * w, w);
                b.timestep[row] = t.timestep();
                System.arraycopy(t.prevMotion, 0, b.prevMotion, row * t.prevMotion.length, t.prevMotion.length);
                b.firstWindow[row] = t.isFirstWindow() ? 1f : 0f;
                System.arraycopy(t.audioFeatures, 0, b.audioFeatures, row * t.audioFeatures.length, t.audioFeatures.length);
                System.arraycopy(t.style, 0, b.style, row * styleDim, styleDim);
                System.arraycopy(t.shape, 0, b.shape, row * shapeDim, shapeDim);
                b.audioMask[row] = branch >= 1 ? 1f : 0f;
                b.styleMask[row] = branch == 2 ? 1f : 0f;
            }
        }
        denoiser.predict(b, branches);
        for (int c = 0; c < k; c++) {
            SamplingTask t = tasks.get(c);
            DdimSampler.guide(branches, 3 * c * w, w, t.guidance(), motionDim, x0, 0);
            int next = t.nextTimestep();
            DdimSampler.update(t.x, 0, x0, 0, w, alphasCumprod[t.timestep()], next < 0 ? 1.0 : alphasCumprod[next]);
            t.advance();
        }
    }

    /** Drops the buffers of every batch size (they are made again when needed). */
    public void trim() {
        batches.clear();
        outputs.clear();
    }
}
