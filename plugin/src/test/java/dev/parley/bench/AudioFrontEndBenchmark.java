package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.features.SilenceGate;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.OnnxAudioEncoder;
import dev.parley.pack.ParleyPack;
import dev.parley.testing.Golden;
import dev.parley.testing.TestVoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The audio front end's cost per 4 s window on the committed pack, for issue 17's speed item: the silence gate
 * alone (pack 1.7.0 on) and the audio encoder as the runtime calls it (gate, then the graph), on 1 and 2
 * intra-op threads. The window is a synthetic voice whose second half is 40 dB down, so the gate silences part of
 * it. Median and least over the runs after warm-up; prints and writes JSON, asserts nothing.
 *
 * <pre>
 * mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.parley.bench.AudioFrontEndBenchmark -Dexec.args="target/audio-front-end.json"
 * </pre>
 */
public final class AudioFrontEndBenchmark {

    private static final int WARMUP = 20;
    private static final int GATE_RUNS = 2000;
    private static final int ENCODER_RUNS = 300;

    private AudioFrontEndBenchmark() {
    }

    /** @param args optional: the JSON output file (default target/audio-front-end.json) */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/audio-front-end.json");
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("machine", ParleyBenchmark.machine());
        json.put("loadAverageAtStart", ParleyBenchmark.ManagementLoad.loadAverage());
        for (int threads : new int[] {1, 2}) {
            try (ParleyPack pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(threads, false))) {
                OnnxAudioEncoder encoder = pack.audioEncoder();
                int samples = pack.manifest().samplesPerFrame() * pack.manifest().windowFrames();
                float[] pcm = TestVoice.pcm((double) samples / pack.manifest().sampleRate(),
                        pack.manifest().sampleRate());
                for (int i = samples / 2; i < samples; i++) {
                    pcm[i] *= 0.01f;
                }
                json.put("packVersion", pack.manifest().packVersion());
                json.put("windowSamples", samples);
                SilenceGate gate = encoder.silenceGate();
                if (threads == 1 && gate != null) {
                    json.put("gate", gate.toString());
                    float[] gated = new float[samples];
                    put(json.putObject("gateMsPerWindow"), time(GATE_RUNS, () -> gate.apply(pcm, 1, samples, gated)),
                            "gate alone");
                }
                float[] features = new float[pack.manifest().windowFrames() * pack.manifest().audioFeatureDim()];
                put(json.putObject("encoderMsPerWindow" + threads + "Thread" + (threads > 1 ? "s" : "")),
                        time(ENCODER_RUNS, () -> encoder.encode(pcm, 1, samples, features)),
                        "encoder (gate + graph), " + threads + " thread(s)");
            }
        }
        json.put("loadAverageAtEnd", ParleyBenchmark.ManagementLoad.loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static void put(ObjectNode node, double[] ms, String what) {
        double median = DenoiserPaths.median(ms);
        double least = Arrays.stream(ms).min().orElseThrow();
        node.put("median", ParleyBenchmark.round(median)).put("least", ParleyBenchmark.round(least))
                .put("runs", ms.length);
        System.out.printf(Locale.ROOT, "%-40s median %8.3f ms, least %8.3f ms (%d runs)%n", what, median, least,
                ms.length);
    }

    private static double[] time(int runs, Runnable run) {
        for (int i = 0; i < WARMUP; i++) {
            run.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }
}
