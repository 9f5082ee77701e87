package dev.parley.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.audio.WavReader;
import dev.parley.pack.PackManifest;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code parley-tool adapt}: fits an expression adapter (docs/adapters.md) to a performer's take and writes the
 * {@code .adapter} file. The fit needs gradients, which ONNX Runtime does not compute, so this command is the
 * front end of the Python job {@code python3 -m parley adapt}: it checks everything it can before any work
 * (options as usage errors, exit 2; then the take's WAVs with {@link WavReader}, its NPZs' motion with
 * {@link MotionReader}, the pack's manifest, the models folder and a Python with PyTorch, each refused with a
 * message naming the file or what is missing, exit 1), runs the job with {@code --progress-json} and draws its
 * steps as the tools' progress bar, relays the job's own message when it refuses the take, and at the end reads
 * the written file back with the runtime's {@link AdapterLoader} and checks it against the pack
 * ({@link Adapter#checkPack}) before printing a summary.
 */
final class Adapt {

    /** The Python job this command runs. */
    static final String JOB = "adapt";
    /** Most ranks {@code --ranks} takes. */
    static final int MAX_RANKS = 8;
    /** The largest rank {@code --ranks} takes (a rank-512 group adds 512 x 9,728 floats, 20 MB, to the file). */
    static final int MAX_RANK = 512;
    /** Most optimiser steps {@code --steps} takes (80 fit 10 s of take in about a minute). */
    static final int MAX_STEPS = 100_000;
    /** Most windows a step {@code --batch} takes. */
    static final int MAX_BATCH = 1024;
    /** Most torch threads {@code --threads} takes. */
    static final int MAX_THREADS = 256;

    private final PrintStream out;
    private final PrintStream err;

    Adapt(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(ParleyTool.Args a) throws IOException, InterruptedException {
        List<Path> take = new ArrayList<>();
        Path outFile = null;
        Path packFolder = null;
        Path models = null;
        String python = null;
        List<String> options = new ArrayList<>();
        while (a.hasNext()) {
            String t = a.next("argument");
            switch (t) {
                case "--out" -> outFile = Path.of(a.next("--out value"));
                case "--pack" -> packFolder = Path.of(a.next("--pack value"));
                case "--models" -> models = Path.of(a.next("--models value"));
                case "--python" -> python = a.next("--python value");
                case "--ranks" -> options.addAll(ranks(a));
                case "--steps" -> options.addAll(List.of(t, String.valueOf(ParleyTool.integer(t, a.next(t), 1,
                        MAX_STEPS))));
                case "--batch" -> options.addAll(List.of(t, String.valueOf(ParleyTool.integer(t, a.next(t), 1,
                        MAX_BATCH))));
                case "--threads" -> options.addAll(List.of(t, String.valueOf(ParleyTool.integer(t, a.next(t), 1,
                        MAX_THREADS))));
                case "--seed" -> options.addAll(List.of(t, String.valueOf(ParleyTool.integer(t, a.next(t), 0,
                        Integer.MAX_VALUE))));
                case "--lr" -> {
                    String v = a.next(t);
                    if (ParleyTool.number(t, v, 0f, 1f) == 0f) {
                        throw new ParleyTool.UsageException("--lr must be greater than 0 but is '" + v + "'");
                    }
                    options.addAll(List.of(t, v.trim()));
                }
                default -> {
                    if (t.startsWith("--")) {
                        throw new ParleyTool.UsageException("unexpected argument '" + t + "'");
                    }
                    take.add(Path.of(t));
                }
            }
        }
        if (take.isEmpty() || outFile == null) {
            throw new ParleyTool.UsageException("adapt needs TAKE.wav TAKE.npz (one pair or more) and --out");
        }
        checkPairs(take);
        if (Files.isDirectory(outFile)) {
            throw new ParleyTool.UsageException("--out must name the .adapter file to write but " + outFile
                    + " is a folder");
        }
        long t0 = System.nanoTime();

        Path pack = packFolder != null ? packFolder : Roots.root().resolve(ParleyTool.DEFAULT_PACK);
        PackManifest manifest = PackManifest.load(pack.resolve("manifest.json"));
        if (manifest.denoiserSha256() == null) {
            throw new IllegalArgumentException(pack.resolve("manifest.json") + ": checksums: expected the SHA-256 of "
                    + manifest.denoiserFile() + " (an adapter records it) but the manifest has none");
        }
        for (int i = 0; i < take.size(); i += 2) {
            WavReader.read(take.get(i));
            MotionReader.read(take.get(i + 1), manifest.motion().dim());
        }
        PythonJob job = PythonJob.find("adapt", python, models);

        List<String> args = new ArrayList<>(List.of(JOB, "--pack", pack.toAbsolutePath().toString()));
        take.forEach(p -> args.add(p.toAbsolutePath().toString()));
        args.addAll(List.of("--out", outFile.toAbsolutePath().toString()));
        args.addAll(options);
        args.add("--progress-json");
        Feed feed = new Feed();
        PythonJob.Result result = job.run(args, feed::accept);
        err.println();
        if (feed.error != null) {
            throw new IllegalArgumentException(feed.error);
        }
        if (result.status() != 0 || feed.done == null) {
            String last = result.lastLine();
            throw new IllegalStateException(job.python() + " -m parley " + JOB + " failed (exit status "
                    + result.status() + ")" + (last.isEmpty() ? " without a message" : ": " + last));
        }

        Adapter adapter;
        try (InputStream in = Files.newInputStream(outFile)) {
            adapter = AdapterLoader.read(in, outFile.getFileName().toString());
        }
        adapter.checkPack(manifest.id(), manifest.packVersion(), manifest.denoiserSha256());
        double seconds = (System.nanoTime() - t0) / 1e9;
        JsonNode done = feed.done;
        JsonNode loss = done.path("takeLoss");
        out.println(Printable.line(String.format(Locale.ROOT, "wrote %s: %.2f MB, ranks %s (%d x %d factors), pack %s"
                + " %s", outFile, Files.size(outFile) / 1e6,
                Arrays.stream(adapter.ranks()).mapToObj(String::valueOf).collect(Collectors.joining("+")),
                adapter.totalRank(), adapter.rowWidth(), manifest.id(), manifest.packVersion())));
        out.printf(Locale.ROOT, "  take %.1f s in %d clip(s); take loss %.4f before, %.4f after; fit %.1f s "
                + "(%.1f s of CPU), %.1f s in all%n", feed.takeSeconds, take.size() / 2,
                loss.path("base").asDouble(Double.NaN), loss.path("adapted").asDouble(Double.NaN),
                done.path("fitSeconds").asDouble(Double.NaN), done.path("cpuSeconds").asDouble(Double.NaN), seconds);
        out.println("  checked: AdapterLoader reads it and it fits the pack (id, version, denoiser SHA-256)");
        return 0;
    }

    /** Reads {@code --ranks R...}: the integers after the option. */
    private static List<String> ranks(ParleyTool.Args a) {
        List<String> ranks = new ArrayList<>(List.of("--ranks"));
        while (a.hasNext() && !a.peek().isEmpty() && a.peek().chars().allMatch(Character::isDigit)) {
            ranks.add(String.valueOf(ParleyTool.integer("--ranks", a.next("rank"), 1, MAX_RANK)));
        }
        if (ranks.size() == 1) {
            throw new ParleyTool.UsageException("--ranks needs one to " + MAX_RANKS + " ranks, e.g. --ranks 2 8 32");
        }
        if (ranks.size() - 1 > MAX_RANKS) {
            throw new ParleyTool.UsageException("--ranks takes at most " + MAX_RANKS + " ranks but got "
                    + (ranks.size() - 1));
        }
        return ranks;
    }

    /** Checks that the take is pairs of a .wav then an .npz. */
    private static void checkPairs(List<Path> take) {
        if (take.size() % 2 != 0) {
            throw new ParleyTool.UsageException("a take comes in pairs, TAKE.wav TAKE.npz, but got " + take.size()
                    + " file(s)");
        }
        for (int i = 0; i < take.size(); i += 2) {
            String wav = take.get(i).getFileName().toString();
            String npz = take.get(i + 1).getFileName().toString();
            if (!wav.toLowerCase(Locale.ROOT).endsWith(".wav") || !npz.toLowerCase(Locale.ROOT).endsWith(".npz")) {
                throw new ParleyTool.UsageException("expected a .wav then an .npz but got " + Printable.line(wav)
                        + " " + Printable.line(npz));
            }
        }
    }

    /** The job's events: the progress bar, and what the summary needs. */
    private final class Feed {
        private int steps;
        private int step;
        private double takeSeconds;
        private String error;
        private JsonNode done;

        void accept(JsonNode e) {
            switch (e.path("event").asText()) {
                case "phase" -> ProgressBar.print(err, step, steps, e.path("phase").asText());
                case "start" -> {
                    steps = e.path("steps").asInt();
                    takeSeconds = e.path("seconds").asDouble();
                    ProgressBar.print(err, 0, steps, String.format(Locale.ROOT, "pack %s %s, take %.1f s",
                            e.path("pack").asText(), e.path("packVersion").asText(), takeSeconds));
                }
                case "step" -> {
                    step = e.path("step").asInt();
                    ProgressBar.print(err, step, steps, e.path("loss").isNumber() ? String.format(Locale.ROOT,
                            "loss %.4f, %.0f s", e.path("loss").asDouble(), e.path("seconds").asDouble()) : "");
                }
                case "error" -> error = e.path("message").asText();
                case "done" -> done = e;
                default -> {
                    // An event this version does not know: newer jobs may add some.
                }
            }
        }
    }
}
