package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.app.LineOptions;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.BatchStepper;
import dev.parley.sampler.Ddim;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplerKind;
import dev.parley.sampler.SamplingTask;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterLoader;
import dev.parley.testing.Golden;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What expression adapters cost beside plain characters (docs/adapters.md): one window (4 s) of each of 4
 * characters, k of them adapted, through the production {@link BatchStepper} on the committed pack, as the
 * worker runs them. Plain styled characters run the pack's default sampler (the distilled student), adapted
 * ones the guided DDIM (10 steps with CFG) on the merged denoiser; the same scene with every character on the
 * plain guided DDIM separates the adapter's cost from the sampler's. Rounds interleave the scenes.
 *
 * <pre>
 * mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.parley.bench.AdapterBenchmark -Dexec.args="target/parley-adapters.json"
 * </pre>
 */
public final class AdapterBenchmark {

    private static final int CHARACTERS = 4;
    private static final int ROUNDS = 15;

    /** A scene: per character, its network (null: plain) and whether it runs the student. */
    private record Scene(String name, String description, Denoiser[] networks, boolean[] student) {
    }

    private AdapterBenchmark() {
    }

    /**
     * @param args optional: the JSON output path (default {@code target/parley-adapters.json})
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/parley-adapters.json");
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch"));
        json.put("loadAverageAtStart", ParleyBenchmark.ManagementLoad.loadAverage());
        measure(json);
        json.put("loadAverageAtEnd", ParleyBenchmark.ManagementLoad.loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
        System.out.println("wrote " + out);
    }

    /**
     * @param node receives the figures (not null, modified)
     */
    static void measure(ObjectNode node) throws Exception {
        ServiceSettings settings = ServiceSettings.defaults();
        try (ParleyPack pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(settings.intraOpThreads(),
                false))) {
            PackManifest m = pack.manifest();
            Adapter[] adapters = adapters(m);
            long t0 = System.nanoTime();
            Denoiser first = pack.adaptedDenoiser(adapters[0]);
            double mergeMs = (System.nanoTime() - t0) / 1e6;
            Denoiser[] distinct = new Denoiser[CHARACTERS];
            distinct[0] = first;
            for (int i = 1; i < CHARACTERS; i++) {
                distinct[i] = pack.adaptedDenoiser(adapters[i]);
            }
            List<Scene> scenes = scenes(distinct);
            float[] schedule = new float[m.diffusionSteps()];
            for (int i = 0; i < schedule.length; i++) {
                schedule[i] = m.alphaCumprod(i);
            }
            BatchStepper stepper = new BatchStepper(schedule, pack.denoiser(), pack.distilledDenoiser(), m.dims());
            double[][] ms = new double[scenes.size()][ROUNDS];
            for (int r = -2; r < ROUNDS; r++) { // two rounds of warm-up
                for (int s = 0; s < scenes.size(); s++) {
                    double t = window(stepper, scenes.get(s), m, r);
                    if (r >= 0) {
                        ms[s][r] = t;
                    }
                }
            }
            double seconds = m.windowFrames() / (double) m.motion().fps();
            node.put("packVersion", m.packVersion()).put("intraOpThreads", settings.intraOpThreads())
                    .put("characters", CHARACTERS).put("rounds", ROUNDS).put("adapterRanks", Arrays.toString(
                            adapters[0].ranks())).put("mergeAndOpenMs", ParleyBenchmark.round(mergeMs))
                    .put("figure", "ms of denoiser work for one window (" + seconds + " s) of each of " + CHARACTERS
                            + " characters, median and least of the rounds; real-time factor = " + CHARACTERS
                            + " x " + seconds + " s / that time");
            ArrayNode rows = node.putArray("scenes");
            for (int s = 0; s < scenes.size(); s++) {
                double median = DenoiserPaths.median(ms[s]);
                double least = Arrays.stream(ms[s]).min().orElseThrow();
                rows.addObject().put("scene", scenes.get(s).name()).put("description", scenes.get(s).description())
                        .put("medianMs", ParleyBenchmark.round(median)).put("leastMs", ParleyBenchmark.round(least))
                        .put("realTimeFactorAtMedian", ParleyBenchmark.round(CHARACTERS * seconds * 1000 / median))
                        .put("realTimeFactorAtLeast", ParleyBenchmark.round(CHARACTERS * seconds * 1000 / least));
                System.out.printf("adapters %-28s median %6.1f ms, least %6.1f ms (%.0fx / %.0fx real time)%n",
                        scenes.get(s).name(), median, least, CHARACTERS * seconds * 1000 / median,
                        CHARACTERS * seconds * 1000 / least);
            }
        }
    }

    /** The pack's golden adapter, and three more of other scales: four distinct adapters of the same cost. */
    private static Adapter[] adapters(PackManifest m) throws Exception {
        Adapter a;
        try (InputStream in = Files.newInputStream(Golden.pack().resolve("golden/adapter/golden.adapter"))) {
            a = AdapterLoader.read(in, "golden.adapter");
        }
        Adapter[] out = new Adapter[CHARACTERS];
        for (int i = 0; i < CHARACTERS; i++) {
            float[] f = a.factors();
            for (int j = 0; j < f.length; j++) {
                f[j] *= 1f - 0.2f * i;
            }
            out[i] = new Adapter("bench" + i + ".adapter", a.packId(), a.packVersion(), a.denoiserSha256(),
                    a.ranks(), a.rowWidth(), a.targets(), f, null);
        }
        return out;
    }

    private static List<Scene> scenes(Denoiser[] distinct) {
        Denoiser one = distinct[0];
        List<Scene> scenes = new ArrayList<>();
        scenes.add(new Scene("0 of 4 adapted", "4 plain, the student (the default)", new Denoiser[4],
                new boolean[] {true, true, true, true}));
        scenes.add(new Scene("1 of 4 adapted", "1 adapted (guided DDIM), 3 plain students",
                new Denoiser[] {one, null, null, null}, new boolean[] {false, true, true, true}));
        scenes.add(new Scene("2 of 4 adapted, 1 adapter", "2 of one adapter, 2 plain students",
                new Denoiser[] {one, one, null, null}, new boolean[] {false, false, true, true}));
        scenes.add(new Scene("2 of 4 adapted, 2 adapters", "2 of two adapters, 2 plain students",
                new Denoiser[] {one, distinct[1], null, null}, new boolean[] {false, false, true, true}));
        scenes.add(new Scene("4 of 4 adapted, 1 adapter", "4 of one adapter", new Denoiser[] {one, one, one, one},
                new boolean[4]));
        scenes.add(new Scene("4 of 4 adapted, 4 adapters", "4 of four adapters", distinct.clone(), new boolean[4]));
        scenes.add(new Scene("4 plain teacher", "4 plain on the guided DDIM (no adapter, same sampler)",
                new Denoiser[4], new boolean[4]));
        return scenes;
    }

    /** @return ms to sample one window of every character of the scene, as the worker batches them */
    private static double window(BatchStepper stepper, Scene scene, PackManifest m, int seed) {
        List<SamplingTask> going = new ArrayList<>();
        for (int c = 0; c < CHARACTERS; c++) {
            SamplingTask t = new SamplingTask(m.dims());
            Ddim.gaussianNoise(t.x, 31L * seed + c);
            Ddim.gaussianNoise(t.audioFeatures, 7 + c);
            t.style[c] = 1f;
            LineOptions options = LineOptions.DEFAULTS.withSampler(scene.student()[c] ? null : SamplerKind.DDIM);
            Guidance g = options.resolvedGuidance(m, true, scene.networks()[c] != null);
            int[] timesteps = g.folded() ? m.distilledTimesteps()
                    : Ddim.timesteps(m.diffusionSteps(), options.resolvedSteps(m, g));
            t.begin(timesteps, false, g);
            t.setDenoiser(scene.networks()[c]);
            going.add(t);
        }
        long t0 = System.nanoTime();
        while (!going.isEmpty()) {
            stepper.step(going);
            going.removeIf(SamplingTask::isDone);
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
