package dev.parley.sampler;

import dev.parley.model.ModelDims;
import dev.parley.util.Validate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Advances several windows by one DDIM step with a single denoiser run: each task contributes its
 * three guidance rows at its own timestep (the denoiser takes a timestep per row), so windows of
 * different characters, started at different times and sampled with different step counts, share
 * runs. Tasks whose guidance is {@linkplain Guidance#folded() folded} run on the pack's distilled
 * denoiser instead, one row each, in a second run of the same step. Tasks with a network of their own
 * ({@link SamplingTask#setDenoiser}: an adapted denoiser) run one more run per network, all tasks of one
 * network together. The numbers are those of the
 * Python samplers ({@link Ddim}; {@code ddim_sample} and {@code folded_sample}), operation for
 * operation, and the golden parity test drives this class, the production path, against them.
 *
 * <p>Not thread-safe: owned by the inference worker. Buffers are allocated once per batch size.
 */
public final class BatchStepper {

    private final float[] alphasCumprod;
    private final Denoiser denoiser;
    private final Denoiser distilled;
    private final ModelDims dims;
    private final Map<Integer, DenoiserBatch> batches = new HashMap<>();
    private final Map<Integer, float[]> outputs = new HashMap<>();
    private final float[] x0;
    private final List<SamplingTask> guided = new ArrayList<>();
    private final List<SamplingTask> folded = new ArrayList<>();
    private final List<SamplingTask> grouped = new ArrayList<>();
    private final Map<Integer, float[]> guidedOutputs = new HashMap<>();

    /**
     * @param alphasCumprod the schedule's cumulative alpha products, decreasing (not null, unaffected)
     * @param denoiser the network (not null)
     * @param dims the model's dimensions (not null)
     */
    public BatchStepper(float[] alphasCumprod, Denoiser denoiser, ModelDims dims) {
        this(alphasCumprod, denoiser, null, dims);
    }

    /**
     * @param alphasCumprod the schedule's cumulative alpha products, decreasing (not null, unaffected)
     * @param denoiser the network (not null)
     * @param distilled the pack's distilled, guidance-folded network for folded tasks (null: the pack has none)
     * @param dims the model's dimensions (not null)
     */
    public BatchStepper(float[] alphasCumprod, Denoiser denoiser, Denoiser distilled, ModelDims dims) {
        this.alphasCumprod = Validate.nonNull(alphasCumprod, "alphasCumprod").clone();
        this.denoiser = Validate.nonNull(denoiser, "denoiser");
        this.distilled = distilled;
        this.dims = Validate.nonNull(dims, "dims");
        x0 = new float[dims.windowSize()];
    }

    /**
     * Runs the denoiser once over every guided task's current step (once per network: the stepper's, and each
     * task's own), and the distilled denoiser once over every folded task's, then advances each task by one
     * step. If a run throws, no task has advanced.
     *
     * @param tasks tasks not yet done, with the dimensions of this stepper (not null, not empty; each modified)
     * @throws IllegalArgumentException if a task is folded and this stepper has no distilled denoiser, or a
     *     folded task has a network of its own (an adapted task runs guided)
     */
    public void step(List<SamplingTask> tasks) {
        Validate.nonNull(tasks, "tasks");
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("tasks must not be empty");
        }
        guided.clear();
        folded.clear();
        for (SamplingTask t : tasks) {
            (t.guidance().folded() ? folded : guided).add(t);
        }
        try {
            if (!folded.isEmpty() && distilled == null) {
                throw new IllegalArgumentException("a task is folded (distilled sampler) but the pack has no "
                        + "distilled denoiser");
            }
            for (SamplingTask t : folded) {
                if (t.denoiser() != null) {
                    throw new IllegalArgumentException("a folded task has a network of its own: adapted windows "
                            + "run the guided DDIM");
                }
            }
            float[] branches = guided.isEmpty() ? null : predictGuided();
            float[] students = folded.isEmpty() ? null : predict(folded, 1, distilled);
            int w = dims.windowSize();
            for (int c = 0; c < guided.size(); c++) {
                SamplingTask t = guided.get(c);
                Ddim.guide(branches, 3 * c * w, w, t.guidance(), dims.motionDim(), x0, 0);
                advance(t, x0, 0);
            }
            for (int c = 0; c < folded.size(); c++) {
                advance(folded.get(c), students, c * w); // the student's output is the guided x0 itself
            }
        } finally {
            guided.clear();
            folded.clear();
            grouped.clear();
        }
    }

    /**
     * Orders the guided tasks by network (first appearance; the order within a network kept) and runs each
     * network once over its tasks' three branches.
     *
     * @return the branches of every guided task, in the new order (a buffer of this stepper)
     */
    private float[] predictGuided() {
        for (int i = 0; i < guided.size(); i++) {
            Denoiser net = network(guided.get(i));
            if (!seenBefore(i, net)) {
                for (int k = i; k < guided.size(); k++) {
                    if (network(guided.get(k)) == net) {
                        grouped.add(guided.get(k));
                    }
                }
            }
        }
        guided.clear();
        guided.addAll(grouped);
        int w = dims.windowSize();
        float[] all = guidedOutputs.computeIfAbsent(guided.size(), n -> new float[3 * n * w]);
        int end;
        for (int start = 0; start < guided.size(); start = end) {
            Denoiser net = network(guided.get(start));
            end = start + 1;
            while (end < guided.size() && network(guided.get(end)) == net) {
                end++;
            }
            float[] out = predict(guided.subList(start, end), 3, net);
            System.arraycopy(out, 0, all, 3 * start * w, 3 * (end - start) * w);
        }
        return all;
    }

    private boolean seenBefore(int i, Denoiser net) {
        for (int k = 0; k < i; k++) {
            if (network(guided.get(k)) == net) {
                return true;
            }
        }
        return false;
    }

    private Denoiser network(SamplingTask t) {
        return t.denoiser() == null ? denoiser : t.denoiser();
    }

    /**
     * @param tasks the tasks (not null, unaffected)
     * @return the denoiser rows one {@link #step} runs for these tasks: 3 per guided task, 1 per folded one
     */
    public static int rows(List<SamplingTask> tasks) {
        int rows = 0;
        for (SamplingTask t : tasks) {
            rows += t.guidance().folded() ? 1 : 3;
        }
        return rows;
    }

    /**
     * One run of {@code net} over {@code perTask} rows per task: the three guidance branches (masks (0,0),
     * (1,0), (1,1)) or, for one row, audio and style on. Rows of folded and guided tasks never share a
     * run: the two networks differ.
     */
    private float[] predict(List<SamplingTask> tasks, int perTask, Denoiser net) {
        int n = perTask * tasks.size();
        // Keyed by rows, folded batches negative: the same row count of the other network is another buffer.
        int key = perTask == 1 ? -n : n;
        DenoiserBatch b = batches.computeIfAbsent(key, x -> new DenoiserBatch(n, dims));
        float[] out = outputs.computeIfAbsent(key, x -> new float[n * dims.windowSize()]);
        for (int c = 0; c < tasks.size(); c++) {
            SamplingTask t = tasks.get(c);
            check(t, c);
            for (int branch = 3 - perTask; branch < 3; branch++) {
                int row = perTask * c + branch - (3 - perTask);
                fillRow(b, row, t);
                b.audioMask[row] = branch >= 1 ? 1f : 0f;
                b.audioKey[row] = t.audioKey();
                b.styleMask[row] = branch == 2 ? 1f : 0f;
            }
        }
        net.predict(b, out);
        return out;
    }

    /** The DDIM update of a task from its (guided) x0, to the next timestep (or to x0 after the last). */
    private void advance(SamplingTask t, float[] prediction, int offset) {
        int next = t.nextTimestep();
        Ddim.update(t.x, 0, prediction, offset, dims.windowSize(), alphasCumprod[t.timestep()],
                next < 0 ? 1.0 : alphasCumprod[next]);
        t.advance();
    }

    private void check(SamplingTask t, int c) {
        if (t.isDone() || !t.dims.equals(dims)) {
            throw new IllegalArgumentException("task " + c + " is done or has other dimensions");
        }
    }

    /** Copies a task's state and conditions into one row of a batch (masks aside). */
    private void fillRow(DenoiserBatch b, int row, SamplingTask t) {
        int w = b.windowSize();
        int styleDim = dims.styleDim();
        int shapeDim = dims.shapeDim();
        System.arraycopy(t.x, 0, b.xt, row * w, w);
        b.timestep[row] = t.timestep();
        System.arraycopy(t.prevMotion, 0, b.prevMotion, row * t.prevMotion.length, t.prevMotion.length);
        b.firstWindow[row] = t.isFirstWindow() ? 1f : 0f;
        System.arraycopy(t.audioFeatures, 0, b.audioFeatures, row * t.audioFeatures.length, t.audioFeatures.length);
        System.arraycopy(t.style, 0, b.style, row * styleDim, styleDim);
        System.arraycopy(t.shape, 0, b.shape, row * shapeDim, shapeDim);
    }

    /** Drops the buffers of every batch size (they are made again when needed). */
    public void trim() {
        batches.clear();
        outputs.clear();
        guidedOutputs.clear();
    }
}
