package dev.parley.service;

import dev.parley.generation.StreamGenerator;
import dev.parley.model.ModelDims;
import dev.parley.pack.PackManifest;
import dev.parley.sampler.BatchStepper;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * The inference worker's part for lines on the pack's stream model: their own stepper over the stream
 * denoiser, tasks of the stream dimensions, encoder buffers per input length (a window's context grows over a
 * line's first {@code stream.context} frames, then stays), and the measured cost of a stream denoiser row. The
 * windows of several lines that are ready at once share encoder calls, one per encoder length (not padded: the
 * encoder attends over its whole input), and their denoiser steps share runs.
 *
 * <p>Not thread-safe: the worker's alone.
 */
final class StreamLane {

    private static final int MAX_POOLED_TASKS = 16;

    private final PackManifest manifest;
    private final ModelDims dims;
    private final BatchStepper stepper;
    private final ArrayDeque<SamplingTask> pool = new ArrayDeque<>();
    private final EncoderBatch batch;
    private final List<LineJob> group = new ArrayList<>();
    /** A window's cut PCM by encoder frames, copied into the batch. */
    private final Map<Integer, float[]> pcm = new HashMap<>();
    private double secondsPerRow;

    /**
     * @param manifest the pack's manifest, with a stream model (not null)
     * @param networks the stream model's networks (not null)
     * @param schedule the cumulative alpha products (not null, unaffected)
     */
    StreamLane(PackManifest manifest, StreamNetworks networks, float[] schedule) {
        this.manifest = manifest;
        this.dims = manifest.streamDims();
        stepper = new BatchStepper(schedule, networks.denoiser(), dims);
        batch = new EncoderBatch(networks.audioEncoder(), dims.samplesPerFrame(), dims.audioDim());
    }

    /**
     * A line's generator on the stream model.
     *
     * @param j the line (not null)
     * @param guidance its guidance (folded guidance runs unfolded at its scales: the student is for full windows)
     * @return a new generator (not null)
     */
    StreamGenerator generator(LineJob j, Guidance guidance) {
        Guidance g = guidance.folded() ? new Guidance(guidance.audio(), guidance.style(), 0f) : guidance;
        int steps = guidance.folded() ? manifest.stream().steps() : j.steps();
        return new StreamGenerator(manifest, j.audio(), j.seed(), j.style(), j.shape(), g, steps);
    }

    /**
     * Cuts, encodes and begins the next window of each line: the windows whose encoder inputs are equally long
     * (every window once its line is {@code stream.context} frames in; at a line's start, windows of lines that
     * started together) share one call of the stream encoder ({@link EncoderBatch}), the others get calls of
     * their own. A line whose window cannot start (its audio, its encoder row, its features) is handed to
     * {@code failed} and the others go on.
     *
     * @param lines lines on the stream model without a window in progress (not null, unaffected; each line's task is
     *     set, or it is handed to {@code failed})
     * @param frames what each line's {@link StreamGenerator#plan()} returned, in the order of {@code lines} (not
     *     null, each &gt;0, unaffected)
     * @param steps chooses a line's steps, asked after its audio is cut (not null)
     * @param failed told of each line whose window could not start, and why (not null)
     */
    void start(List<LineJob> lines, int[] frames, ToIntFunction<LineJob> steps,
            BiConsumer<LineJob, RuntimeException> failed) {
        int n = lines.size();
        if (frames.length < n) {
            throw new IllegalArgumentException("frames must hold one length per line (" + n + ") but has "
                    + frames.length);
        }
        for (int first = 0; first < n; first++) {
            if (!isFirstOfLength(frames, first)) {
                continue;
            }
            batch.clear(frames[first] * dims.samplesPerFrame());
            group.clear();
            for (int i = first; i < n; i++) {
                if (frames[i] == frames[first]) {
                    cut(lines.get(i), frames[i], failed);
                }
            }
            if (!group.isEmpty()) {
                batch.encode();
                begin(steps, failed);
            }
        }
    }

    /** @return true if no line before {@code i} has its length (its group is made at its first line) */
    private static boolean isFirstOfLength(int[] frames, int i) {
        for (int k = 0; k < i; k++) {
            if (frames[k] == frames[i]) {
                return false;
            }
        }
        return true;
    }

    /** Cuts a line's window into the batch (or hands the line to {@code failed}). */
    private void cut(LineJob j, int frames, BiConsumer<LineJob, RuntimeException> failed) {
        float[] in = pcm.computeIfAbsent(frames, k -> new float[k * dims.samplesPerFrame()]);
        try {
            j.stream.cutAudio(frames, in);
        } catch (RuntimeException e) {
            failed.accept(j, e);
            return;
        }
        batch.add(in);
        group.add(j);
    }

    /** Begins the task of each line of the encoded batch (row order), or hands the line to {@code failed}. */
    private void begin(ToIntFunction<LineJob> steps, BiConsumer<LineJob, RuntimeException> failed) {
        for (int row = 0; row < group.size(); row++) {
            LineJob j = group.get(row);
            RuntimeException error = batch.failure(row);
            if (error != null) {
                failed.accept(j, error);
                continue;
            }
            SamplingTask task = pool.isEmpty() ? new SamplingTask(dims) : pool.pop();
            try {
                j.stream.begin(task, batch.features(), batch.featureOffset(row), steps.applyAsInt(j));
                j.task = task;
            } catch (RuntimeException e) {
                release(task);
                failed.accept(j, e);
            }
        }
        group.clear();
    }

    /** @return stream encoder calls so far (a shared call counts once) */
    long encoderCalls() {
        return batch.calls();
    }

    /** @return stream windows encoded so far */
    long encodedWindows() {
        return batch.windows();
    }

    /**
     * One run of the stream denoiser over the tasks' current steps.
     *
     * @param tasks stream tasks not yet done (not null, not empty; each modified)
     */
    void step(List<SamplingTask> tasks) {
        long t0 = System.nanoTime();
        stepper.step(tasks);
        double perRow = (System.nanoTime() - t0) / 1e9 / BatchStepper.rows(tasks);
        secondsPerRow = secondsPerRow == 0 ? perRow : 0.8 * secondsPerRow + 0.2 * perRow;
    }

    /** @return the measured cost of one stream denoiser row (seconds, moving average; 0 before warm-up) */
    double secondsPerRow() {
        return secondsPerRow;
    }

    /**
     * @param task a task (not null)
     * @return true if it is one of this lane's (the stream dimensions)
     */
    boolean owns(SamplingTask task) {
        return task.dims.equals(dims);
    }

    /** @param task a task of this lane, done with (not null) */
    void release(SamplingTask task) {
        if (pool.size() < MAX_POOLED_TASKS) {
            pool.push(task);
        }
    }

    /** Runs the stream graphs once, so a line's first window does not pay their first run; measures a row. */
    void warmUp() {
        batch.clear(manifest.stream().window() * dims.samplesPerFrame());
        batch.add(new float[manifest.stream().window() * dims.samplesPerFrame()]);
        batch.encode();
        if (batch.failure(0) != null) {
            throw batch.failure(0);
        }
        SamplingTask task = new SamplingTask(dims);
        int n = manifest.diffusionSteps();
        task.begin(new int[] {n - 1, n / 2, 0}, true, Guidance.NONE);
        stepper.step(List.of(task));
        step(List.of(task));
        step(List.of(task));
        release(task);
    }
}
