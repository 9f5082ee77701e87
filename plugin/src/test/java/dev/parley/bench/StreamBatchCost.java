package dev.parley.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.features.AudioEncoder;
import dev.parley.model.ModelDims;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.BatchStepper;
import dev.parley.sampler.Ddim;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.TestVoice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What batching saves on the stream model, network by network (the stream part of {@link ParleyBenchmark}): 8
 * stream windows encoded one call each against one call of 8 rows (a first window's 4 frames, and a window with
 * its whole 2 s context), and 8 windows' denoiser steps in runs of 1, 4 and 8 windows. Each pair is interleaved
 * round by round so that a change of machine load hits both; medians. The runtime's intra-op threads.
 */
final class StreamBatchCost {

    private static final int WINDOWS = 8;
    private static final int ROUNDS = 40;

    private StreamBatchCost() {
    }

    /** @param node receives the figures (not null, modified) */
    static void measure(ObjectNode node) {
        try (ParleyPack pack = ParleyPack.load(Golden.pack(),
                InferenceRuntime.create(ServiceSettings.defaults().intraOpThreads(),
                        ParleyBenchmark.PREFER_CUDA))) {
            PackManifest m = pack.manifest();
            ModelDims d = m.streamDims();
            node.put("windows", WINDOWS).put("rounds", ROUNDS);
            for (int frames : new int[] {m.stream().window(), m.stream().context() + m.stream().window()}) {
                encoder(node.putObject("encoder" + frames + "Frames"), pack.streamAudioEncoder(), d, frames);
            }
            denoiser(node.putObject("denoiserStep"), pack, m, d);
        }
    }

    private static void encoder(ObjectNode node, AudioEncoder encoder, ModelDims d, int frames) {
        int samples = frames * d.samplesPerFrame();
        float[] voice = TestVoice.pcm(WINDOWS * samples / (double) d.sampleRate() + 0.1, d.sampleRate());
        float[] rows = Arrays.copyOf(voice, WINDOWS * samples); // 8 different windows of speech
        float[] one = new float[samples];
        float[] features = new float[WINDOWS * frames * d.audioDim()];
        float[] oneFeatures = new float[frames * d.audioDim()];
        double[] alone = new double[ROUNDS];
        double[] together = new double[ROUNDS];
        for (int r = -3; r < ROUNDS; r++) { // 3 rounds of warm-up
            long t0 = System.nanoTime();
            for (int w = 0; w < WINDOWS; w++) {
                System.arraycopy(rows, w * samples, one, 0, samples);
                encoder.encode(one, 1, samples, oneFeatures);
            }
            long t1 = System.nanoTime();
            encoder.encode(rows, WINDOWS, samples, features);
            long t2 = System.nanoTime();
            if (r >= 0) {
                alone[r] = (t1 - t0) / 1e6;
                together[r] = (t2 - t1) / 1e6;
            }
        }
        node.put("frames", frames).put("aloneMs", ParleyBenchmark.round(median(alone)))
                .put("oneCallMs", ParleyBenchmark.round(median(together)));
        System.out.printf("stream encoder, %d windows of %d frames: %.2f ms one call each, %.2f ms in one call%n",
                WINDOWS, frames, median(alone), median(together));
    }

    private static void denoiser(ObjectNode node, ParleyPack pack, PackManifest m, ModelDims d) {
        float[] schedule = new float[m.diffusionSteps()];
        for (int i = 0; i < schedule.length; i++) {
            schedule[i] = m.alphaCumprod(i);
        }
        BatchStepper stepper = new BatchStepper(schedule, pack.streamDenoiser(), d);
        List<SamplingTask> tasks = new ArrayList<>();
        for (int i = 0; i < WINDOWS; i++) {
            tasks.add(new SamplingTask(d));
        }
        Guidance g = new Guidance(m.audioGuidance(), m.styleGuidance(), 0f);
        int steps = m.stream().steps();
        int[] runSizes = {1, 4, WINDOWS};
        double[][] perStep = new double[runSizes.length][ROUNDS];
        for (int r = -3; r < ROUNDS; r++) {
            for (int v = 0; v < runSizes.length; v++) {
                int per = runSizes[v];
                for (SamplingTask t : tasks) {
                    t.begin(Ddim.timesteps(m.diffusionSteps(), steps), false, g);
                }
                for (int k = 0; k < WINDOWS; k += per) {
                    stepper.step(tasks.subList(k, k + per)); // the first step computes each window's audio memory
                }
                long t0 = System.nanoTime();
                for (int s = 1; s < steps; s++) {
                    for (int k = 0; k < WINDOWS; k += per) {
                        stepper.step(tasks.subList(k, k + per));
                    }
                }
                if (r >= 0) {
                    perStep[v][r] = (System.nanoTime() - t0) / 1e6 / (steps - 1);
                }
            }
        }
        for (int v = 0; v < runSizes.length; v++) {
            node.put("runsOf" + runSizes[v] + "Ms", ParleyBenchmark.round(median(perStep[v])));
            System.out.printf("stream denoiser, one step of %d windows in runs of %d: %.2f ms%n", WINDOWS,
                    runSizes[v], median(perStep[v]));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
