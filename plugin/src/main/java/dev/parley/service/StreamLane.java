package dev.parley.service;

import dev.parley.generation.StreamGenerator;
import dev.parley.model.ModelDims;
import dev.parley.pack.PackManifest;
import dev.parley.sampler.BatchStepper;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The inference worker's part for lines on the pack's stream model: their own stepper over the stream
 * denoiser, tasks of the stream dimensions, encoder buffers per input length (a window's context grows over a
 * line's first {@code stream.context} frames, then stays), and the measured cost of a stream denoiser row. A
 * stream window's encoder call differs in length from line to line, so each is encoded alone (a few
 * milliseconds); their denoiser steps share runs.
 *
 * <p>Not thread-safe: the worker's alone.
 */
final class StreamLane {

    private static final int MAX_POOLED_TASKS = 16;

    private final PackManifest manifest;
    private final StreamNetworks networks;
    private final ModelDims dims;
    private final BatchStepper stepper;
    private final ArrayDeque<SamplingTask> pool = new ArrayDeque<>();
    private final Map<Integer, float[]> pcm = new HashMap<>();
    private final Map<Integer, float[]> features = new HashMap<>();
    private double secondsPerRow;

    /**
     * @param manifest the pack's manifest, with a stream model (not null)
     * @param networks the stream model's networks (not null)
     * @param schedule the cumulative alpha products (not null, unaffected)
     */
    StreamLane(PackManifest manifest, StreamNetworks networks, float[] schedule) {
        this.manifest = manifest;
        this.networks = networks;
        this.dims = manifest.streamDims();
        stepper = new BatchStepper(schedule, networks.denoiser(), dims);
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
     * Cuts, encodes and begins a line's next window.
     *
     * @param g the line's generator (not null)
     * @param frames what its {@link StreamGenerator#plan()} returned (&gt;0)
     * @param steps chooses the window's steps, asked after the audio is cut (not null)
     * @return the window's task (not null; give it back with {@link #release})
     */
    SamplingTask start(StreamGenerator g, int frames, IntSupplier steps) {
        int samples = frames * dims.samplesPerFrame();
        float[] in = pcm.computeIfAbsent(frames, n -> new float[samples]);
        float[] out = features.computeIfAbsent(frames, n -> new float[n * dims.audioDim()]);
        g.cutAudio(frames, in);
        networks.audioEncoder().encode(in, 1, samples, out);
        SamplingTask task = pool.isEmpty() ? new SamplingTask(dims) : pool.pop();
        try {
            g.begin(task, out, 0, steps.getAsInt());
        } catch (RuntimeException e) {
            release(task);
            throw e;
        }
        return task;
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
        int frames = manifest.stream().window();
        float[] in = pcm.computeIfAbsent(frames, n -> new float[n * dims.samplesPerFrame()]);
        float[] out = features.computeIfAbsent(frames, n -> new float[n * dims.audioDim()]);
        networks.audioEncoder().encode(in, 1, in.length, out);
        SamplingTask task = new SamplingTask(dims);
        int n = manifest.diffusionSteps();
        task.begin(new int[] {n - 1, n / 2, 0}, true, Guidance.NONE);
        stepper.step(List.of(task));
        step(List.of(task));
        step(List.of(task));
        release(task);
    }
}
