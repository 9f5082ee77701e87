package dev.parley.sampler;

import dev.parley.model.ModelDims;
import dev.parley.util.Validate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Advances several windows by one DDIM step with a single denoiser run: each task contributes its
 * three guidance rows at its own timestep (the denoiser takes a timestep per row), so windows of
 * different characters, started at different times and sampled with different step counts, share
 * runs. The numbers are those of the Python DDIM ({@link Ddim}), operation for operation, and the golden
 * parity test drives this class, the production path, against them.
 *
 * <p>Not thread-safe: owned by the inference worker. Buffers are allocated once per batch size.
 */
public final class BatchStepper {

    private final float[] alphasCumprod;
    private final Denoiser denoiser;
    private final ModelDims dims;
    private final Map<Integer, DenoiserBatch> batches = new HashMap<>();
    private final Map<Integer, float[]> outputs = new HashMap<>();
    private final float[] x0;

    /**
     * @param alphasCumprod the schedule's cumulative alpha products, decreasing (not null, unaffected)
     * @param denoiser the network (not null)
     * @param dims the model's dimensions (not null)
     */
    public BatchStepper(float[] alphasCumprod, Denoiser denoiser, ModelDims dims) {
        this.alphasCumprod = Validate.nonNull(alphasCumprod, "alphasCumprod").clone();
        this.denoiser = Validate.nonNull(denoiser, "denoiser");
        this.dims = Validate.nonNull(dims, "dims");
        x0 = new float[dims.windowSize()];
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
        DenoiserBatch b = batches.computeIfAbsent(3 * k, rows -> new DenoiserBatch(rows, dims));
        float[] branches = outputs.computeIfAbsent(3 * k, rows -> new float[rows * dims.windowSize()]);
        int w = b.windowSize();
        int styleDim = dims.styleDim();
        int shapeDim = dims.shapeDim();
        for (int c = 0; c < k; c++) {
            SamplingTask t = tasks.get(c);
            if (t.isDone() || !t.dims.equals(dims)) {
                throw new IllegalArgumentException("task " + c + " is done or has other dimensions");
            }
            for (int branch = 0; branch < 3; branch++) {
                int row = 3 * c + branch;
                System.arraycopy(t.x, 0, b.xt, row * w, w);
                b.timestep[row] = t.timestep();
                System.arraycopy(t.prevMotion, 0, b.prevMotion, row * t.prevMotion.length, t.prevMotion.length);
                b.firstWindow[row] = t.isFirstWindow() ? 1f : 0f;
                System.arraycopy(t.audioFeatures, 0, b.audioFeatures, row * t.audioFeatures.length,
                        t.audioFeatures.length);
                System.arraycopy(t.style, 0, b.style, row * styleDim, styleDim);
                System.arraycopy(t.shape, 0, b.shape, row * shapeDim, shapeDim);
                b.audioMask[row] = branch >= 1 ? 1f : 0f;
                b.audioKey[row] = t.audioKey();
                b.styleMask[row] = branch == 2 ? 1f : 0f;
            }
        }
        denoiser.predict(b, branches);
        for (int c = 0; c < k; c++) {
            SamplingTask t = tasks.get(c);
            Ddim.guide(branches, 3 * c * w, w, t.guidance(), dims.motionDim(), x0, 0);
            int next = t.nextTimestep();
            Ddim.update(t.x, 0, x0, 0, w, alphasCumprod[t.timestep()], next < 0 ? 1.0 : alphasCumprod[next]);
            t.advance();
        }
    }

    /** Drops the buffers of every batch size (they are made again when needed). */
    public void trim() {
        batches.clear();
        outputs.clear();
    }
}
