package dev.parley.bench;

import dev.parley.audio.Resampler;
import dev.parley.features.LineAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 15 item 6 in figures: for each source rate, the time {@code say()} spends on the render thread
 * making the line's audio (now only sizing the filter), the first window's resampling on the worker
 * (which builds the filter table) and a later line's (cached table). Prints and writes JSON; asserts nothing.
 *
 * <pre>
 * mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.parley.bench.ResamplerBenchmark -Dexec.args="target/resampler-benchmark.json"
 * </pre>
 */
public final class ResamplerBenchmark {

    private static final int PACK_RATE = 16_000;
    private static final int SAMPLES_PER_FRAME = 640;
    private static final int FRAMES = 25;

    private ResamplerBenchmark() {
    }

    /** @param args optional: the JSON output file (default target/resampler-benchmark.json) */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/resampler-benchmark.json");
        int[] rates = {22_050, 44_100, 48_000, 44_098, 96_002, 192_000};
        List<String> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%9s %14s %16s %16s%n", "rate Hz", "say() ms", "first window ms",
                "cached window ms");
        for (int rate : rates) {
            float[] pcm = new float[rate]; // one second
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (float) Math.sin(2 * Math.PI * 220 * i / rate) * 0.5f;
            }
            long t0 = System.nanoTime();
            LineAudio first = LineAudio.clip("bench", pcm, rate, PACK_RATE, SAMPLES_PER_FRAME);
            double sayMs = (System.nanoTime() - t0) / 1e6;
            double firstMs = window(first);
            double cachedMs = window(LineAudio.clip("bench", pcm, rate, PACK_RATE, SAMPLES_PER_FRAME));
            System.out.printf(Locale.ROOT, "%9d %14.3f %16.1f %16.1f%n", rate, sayMs, firstMs, cachedMs);
            rows.add(String.format(Locale.ROOT, "{\"rate\": %d, \"sayMs\": %.3f, \"firstWindowMs\": %.1f, "
                    + "\"cachedWindowMs\": %.1f, \"cached\": %b}", rate, sayMs, firstMs, cachedMs,
                    Resampler.isCached(rate, PACK_RATE)));
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, "{\"packRate\": " + PACK_RATE + ", \"rows\": [\n  " + String.join(",\n  ", rows)
                + "\n]}\n");
        System.out.println("wrote " + out);
    }

    /** @return milliseconds to cut the first window of {@value #FRAMES} frames (what the worker does) */
    private static double window(LineAudio audio) {
        float[] window = new float[FRAMES * SAMPLES_PER_FRAME];
        long t0 = System.nanoTime();
        audio.framesReady(FRAMES);
        audio.read(window, Math.min(FRAMES, audio.framesReady(FRAMES)));
        return (System.nanoTime() - t0) / 1e6;
    }
}
