package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.app.LineOptions;
import dev.parley.features.LineAudio;
import dev.parley.generation.MotionWindow;
import dev.parley.head.HeadSpec;
import dev.parley.motion.EnergyJaw;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.BatchStepper;
import dev.parley.sampler.Ddim;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplerKind;
import dev.parley.sampler.SamplingTask;
import dev.parley.service.InferenceService;
import dev.parley.service.LineJob;
import dev.parley.service.Networks;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The headless figures of {@link ParleyBenchmark}: the real-time factor of the denoiser paths side by
 * side, the energy-jaw heuristic's cost, and how many characters keep up with real time without rendering.
 * Every figure runs on the service's default intra-op threads, through the inference service the game uses.
 */
final class DenoiserPaths {

    private static final int FPS = 25;
    /** Rounds of every (path, character count), interleaved so that a change of machine load hits all paths. */
    private static final int ROUNDS = 3;

    private DenoiserPaths() {
    }

    /** A way to run the denoiser, with the service that runs it, and the sampler its lines ask for. */
    private record Variant(String name, String description, InferenceService service, PackManifest manifest,
            Denoiser denoiser, Denoiser distilled, SamplerKind sampler) {

        Variant(String name, String description, InferenceService service, PackManifest manifest, Denoiser denoiser) {
            this(name, description, service, manifest, denoiser, null, SamplerKind.DDIM);
        }

        /** @return the line options of this variant's sampler */
        LineOptions options() {
            return LineOptions.DEFAULTS.withSampler(sampler);
        }
    }

    /**
     * Seconds of speech animated per second of compute, 10 steps with CFG, 1 to 8 characters at once, for
     * each denoiser path: the committed pack with its audio memory once per window (the runtime's path), the
     * same graphs recomputing the memory at every step, a one-graph pack (before 1.4.0) if given, and the
     * pack's distilled sampler if it has one (guidance folded: one row per step, the manifest's steps).
     *
     * @param node receives the figures (not null, modified)
     * @param oneGraphPack a one-graph pack's folder, e.g. 1.3.0 from git history (null: not timed)
     */
    static void realTimeFactor(ObjectNode node, Path oneGraphPack) throws Exception {
        ServiceSettings settings = ServiceSettings.defaults();
        InferenceRuntime runtime = InferenceRuntime.create(settings.intraOpThreads(),
                ParleyBenchmark.PREFER_CUDA);
        ParleyPack pack = ParleyPack.load(Golden.pack(), runtime);
        ParleyPack old = oneGraphPack == null ? null : ParleyPack.load(oneGraphPack, runtime);
        List<Variant> variants = new ArrayList<>();
        try {
            PackManifest m = pack.manifest();
            Denoiser everyStep = (batch, x0) -> {
                Arrays.fill(batch.audioKey, 0L);
                pack.denoiser().predict(batch, x0);
            };
            variants.add(new Variant("memoryOncePerWindow", "pack " + m.packVersion() + ", the audio memory once per "
                    + "window (the runtime)", start(m, () -> Networks.of(pack)), m, pack.denoiser()));
            variants.add(new Variant("memoryEveryStep", "pack " + m.packVersion() + ", the audio memory recomputed "
                    + "at every step", start(m, () -> new Networks(pack.audioEncoder(), everyStep)), m, everyStep));
            if (m.hasDistilled()) {
                variants.add(new Variant("distilled", "pack " + m.packVersion() + ", the distilled sampler ("
                        + m.distilledTimesteps().length + " steps, guidance folded: one row per step)",
                        start(m, () -> Networks.of(pack)), m, pack.denoiser(), pack.distilledDenoiser(),
                        SamplerKind.DISTILLED));
            }
            if (old != null) {
                PackManifest o = old.manifest();
                variants.add(new Variant("oneGraph", "pack " + o.packVersion() + ", one denoiser graph (before 1.4.0)",
                        start(o, () -> Networks.of(old)), o, old.denoiser()));
            }
            windowCost(node.putObject("msPerWindow"), variants);
            int[] counts = {1, 2, 4, 8};
            double seconds = 16;
            double[][][] rtf = new double[variants.size()][counts.length][ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < counts.length; i++) {
                    for (int v = 0; v < variants.size(); v++) {
                        rtf[v][i][round] = perCharacter(variants.get(v), counts[i], seconds);
                    }
                }
            }
            node.put("steps", m.defaultSteps()).put("lineSeconds", seconds).put("rounds", ROUNDS)
                    .put("intraOpThreads", settings.intraOpThreads()).put("figure", "seconds of speech per second "
                            + "of compute per character through the inference service: median and best of the rounds");
            for (int v = 0; v < variants.size(); v++) {
                Variant variant = variants.get(v);
                ObjectNode out = node.putObject(variant.name()).put("path", variant.description())
                        .put("msPerDenoiserRow", ParleyBenchmark.round(variant.service().secondsPerRow() * 1000));
                ArrayNode rows = out.putArray("byCharacters");
                for (int i = 0; i < counts.length; i++) {
                    double median = median(rtf[v][i]);
                    ArrayNode runs = rows.addObject().put("characters", counts[i])
                            .put("perCharacter", ParleyBenchmark.round(median))
                            .put("bestPerCharacter",
                                    ParleyBenchmark.round(Arrays.stream(rtf[v][i]).max().orElseThrow()))
                            .put("total", ParleyBenchmark.round(median * counts[i])).putArray("runs");
                    Arrays.stream(rtf[v][i]).forEach(r -> runs.add(ParleyBenchmark.round(r)));
                    System.out.printf("RTF %-19s %d character(s): %.1fx per character (%.1fx in total), runs %s%n",
                            variant.name(), counts[i], median, median * counts[i], Arrays.toString(rtf[v][i]));
                }
            }
        } finally {
            variants.forEach(v -> v.service().close());
            pack.close();
            if (old != null) {
                old.close();
            }
        }
    }

    /**
     * The denoiser's cost of one window of one character, 10 steps with CFG (30 rows), through the
     * production stepper alone: the steadiest figure on a shared machine. 40 windows per path, interleaved;
     * median and least.
     */
    private static void windowCost(ObjectNode node, List<Variant> variants) {
        int repeats = 40;
        double[][] ms = new double[variants.size()][repeats];
        List<BatchStepper> steppers = new ArrayList<>();
        List<SamplingTask> tasks = new ArrayList<>();
        for (Variant v : variants) {
            PackManifest m = v.manifest();
            float[] schedule = new float[m.diffusionSteps()];
            for (int i = 0; i < schedule.length; i++) {
                schedule[i] = m.alphaCumprod(i);
            }
            steppers.add(new BatchStepper(schedule, v.denoiser(), v.distilled(), m.dims()));
            SamplingTask t = new SamplingTask(m.dims());
            Ddim.gaussianNoise(t.audioFeatures, 3);
            tasks.add(t);
        }
        for (int r = -2; r < repeats; r++) { // two rounds of warm-up
            for (int v = 0; v < variants.size(); v++) {
                PackManifest m = variants.get(v).manifest();
                SamplingTask t = tasks.get(v);
                Ddim.gaussianNoise(t.x, r);
                Guidance g = variants.get(v).options().resolvedGuidance(m, true);
                int[] timesteps = g.folded() ? m.distilledTimesteps()
                        : Ddim.timesteps(m.diffusionSteps(), m.defaultSteps());
                t.begin(timesteps, false, g);
                long t0 = System.nanoTime();
                while (!t.isDone()) {
                    steppers.get(v).step(List.of(t));
                }
                if (r >= 0) {
                    ms[v][r] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        node.put("figure", "ms of denoiser work per window (4 s), 1 character, 10 steps with CFG (distilled: its "
                + "steps, one row each)");
        for (int v = 0; v < variants.size(); v++) {
            double median = median(ms[v]);
            double least = Arrays.stream(ms[v]).min().orElseThrow();
            double seconds = variants.get(v).manifest().windowFrames() / (double) FPS;
            node.putObject(variants.get(v).name()).put("medianMs", ParleyBenchmark.round(median))
                    .put("leastMs", ParleyBenchmark.round(least))
                    .put("realTimeFactorAtMedian", ParleyBenchmark.round(seconds * 1000 / median))
                    .put("realTimeFactorAtLeast", ParleyBenchmark.round(seconds * 1000 / least));
            System.out.printf("window cost %-19s median %.1f ms, least %.1f ms (%.0fx / %.0fx real time)%n",
                    variants.get(v).name(), median, least, seconds * 1000 / median, seconds * 1000 / least);
        }
    }

    private static InferenceService start(PackManifest m, java.util.concurrent.Callable<Networks> networks)
            throws InterruptedException {
        InferenceService service = new InferenceService(m, networks, ServiceSettings.defaults(), "bench");
        service.start();
        while (!service.isReady()) {
            Thread.sleep(10);
        }
        return service;
    }

    /** @return seconds of speech per second of compute per character, k characters at once, as fast as it goes */
    private static double perCharacter(Variant v, int k, double seconds) throws InterruptedException {
        PackManifest m = v.manifest();
        Guidance guidance = v.options().resolvedGuidance(m, true);
        int steps = v.options().resolvedSteps(m, guidance);
        List<LineJob> jobs = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            jobs.add(new LineJob(LineAudio.clip("c" + c, TestVoice.pcm(seconds, 16000), 16000, 16000,
                    m.samplesPerFrame()), new float[m.styleDim()], steps, guidance, c, false));
        }
        long t0 = System.nanoTime();
        jobs.forEach(v.service()::submit);
        int[] frames = new int[k];
        boolean done = false;
        while (!done) {
            done = true;
            for (int c = 0; c < k; c++) {
                LineJob j = jobs.get(c);
                for (MotionWindow w; (w = j.pollWindow()) != null;) {
                    frames[c] += w.frames();
                    j.setPlayhead(frames[c] / (float) FPS, true);
                }
                done &= j.isGenerationDone();
            }
            Thread.sleep(1);
        }
        return seconds / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * The energy-jaw heuristic's cost: one character's frames from 16 kHz audio, the work
     * {@code MotionSource.energyJaw} does on the render thread.
     *
     * @param mapper makes the node (not null)
     * @return the figures (a new node)
     */
    static ObjectNode energyJaw(ObjectMapper mapper) {
        PackManifest m = PackManifest.load(Golden.pack().resolve("manifest.json"));
        HeadSpec spec = HeadSpec.load(TestAssets.assets().resolve(TestAssets.HEAD_SPEC));
        double seconds = 16;
        float[] pcm = TestVoice.pcm(seconds, 16000);
        int hop = 16000 / FPS;
        int frames = pcm.length / hop;
        float[] out = new float[m.motion().dim()];
        double[] runs = new double[50];
        for (int r = 0; r < runs.length; r++) {
            EnergyJaw jaw = new EnergyJaw(m.motion(), spec.expressionNames(), EnergyJaw.Tuning.NEUTRAL);
            long t0 = System.nanoTime();
            for (int f = 0; f < frames; f++) {
                jaw.frame(pcm, f * hop, hop, out, 0);
            }
            runs[r] = (System.nanoTime() - t0) / 1e9;
        }
        double s = median(runs);
        System.out.printf("energy jaw: %.3f ms per 16 s line, %.0fx real time per character%n", s * 1000,
                seconds / s);
        return mapper.createObjectNode().put("lineSeconds", seconds).put("msPerLine", ParleyBenchmark.round(s * 1000))
                .put("realTimeFactor", Math.round(seconds / s));
    }

    /**
     * How many characters talk at once in real time without rendering: n lines of {@code seconds} each,
     * 10 steps with CFG, not adaptive, each line playing from its first window on (as a pre-recorded line
     * does), real time if no playhead ever passes its line's motion.
     *
     * @param node receives the figures (not null, modified)
     * @param seconds each line's length
     */
    static void charactersHeadless(ObjectNode node, double seconds) throws Exception {
        ServiceSettings settings = ServiceSettings.defaults();
        try (ParleyPack pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(settings.intraOpThreads(),
                ParleyBenchmark.PREFER_CUDA))) {
            PackManifest m = pack.manifest();
            InferenceService service = start(m, () -> Networks.of(pack));
            ArrayNode rows = node.put("lineSeconds", seconds).put("steps", m.defaultSteps()).put("adaptive", false)
                    .putArray("byCharacters");
            int best = 0;
            int failures = 0;
            for (int n : new int[] {1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 40}) {
                double[] r = talk(service, m, n, seconds);
                boolean realTime = r[0] == 0;
                System.out.printf("%2d characters, no rendering: behind %.2f s, least lead %.2f s -> %s%n", n, r[0],
                        r[1], realTime ? "real time" : "falls behind");
                rows.addObject().put("characters", n).put("secondsBehind", ParleyBenchmark.round(r[0]))
                        .put("leastLeadSeconds", ParleyBenchmark.round(r[1])).put("realTime", realTime);
                best = realTime && failures == 0 ? n : best;
                failures += realTime ? 0 : 1;
                if (failures == 2) {
                    break;
                }
            }
            node.put("maxCharactersRealTime", best);
            service.close();
        }
    }

    /** @return seconds during which some playhead was past its motion, and the least lead seen */
    private static double[] talk(InferenceService service, PackManifest m, int n, double seconds)
            throws InterruptedException {
        Guidance guidance = LineOptions.DEFAULTS.resolvedGuidance(m, true); // the pack's default sampler
        List<LineJob> jobs = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            jobs.add(new LineJob("c" + c, LineAudio.clip("c" + c, TestVoice.pcm(seconds, 16000), 16000, 16000,
                    m.samplesPerFrame()), new float[m.styleDim()], LineOptions.DEFAULTS.resolvedSteps(m, guidance),
                    guidance, 100 + c, false));
        }
        jobs.forEach(service::submit);
        long[] start = new long[n];
        int[] frames = new int[n];
        double behind = 0;
        double leastLead = Double.MAX_VALUE;
        long last = System.nanoTime();
        boolean done = false;
        while (!done) {
            done = true;
            long now = System.nanoTime();
            boolean anyBehind = false;
            for (int c = 0; c < n; c++) {
                LineJob j = jobs.get(c);
                for (MotionWindow w; (w = j.pollWindow()) != null;) {
                    frames[c] += w.frames();
                    start[c] = start[c] == 0 ? now : start[c];
                }
                if (start[c] == 0) {
                    done = false;
                    continue; // playback starts with the first window
                }
                float playhead = (float) ((now - start[c]) / 1e9);
                j.setPlayhead(playhead, true);
                if (!j.isGenerationDone()) {
                    done = false;
                    double lead = frames[c] / (double) FPS - playhead;
                    leastLead = Math.min(leastLead, lead);
                    anyBehind |= lead < 0;
                }
            }
            behind += anyBehind ? (now - last) / 1e9 : 0;
            last = now;
            Thread.sleep(5);
        }
        return new double[] {behind, leastLead == Double.MAX_VALUE ? 0 : leastLead};
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
