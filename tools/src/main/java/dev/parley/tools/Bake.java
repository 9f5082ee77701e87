package dev.parley.tools;

import com.jme3.anim.AnimClip;
import com.jme3.asset.AssetManager;
import com.jme3.asset.DesktopAssetManager;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.export.binary.BinaryExporter;
import com.jme3.scene.Spatial;
import dev.parley.anim.FaceClips;
import dev.parley.app.LineOptions;
import dev.parley.audio.AudioFiles;
import dev.parley.audio.PcmClip;
import dev.parley.audio.WavReader;
import dev.parley.head.HeadSpec;
import dev.parley.pack.ParleyPack;
import dev.parley.rig.RigNames;
import dev.parley.style.Style;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code parley-tool bake}: dialogue audio plus a style to jME animation clips. Each line's motion
 * comes from {@link LineBaker} (the runtime's inference, seeded, not adaptive) and becomes an
 * {@link AnimClip} ({@link FaceClips}) saved as {@code OUT/<line>.j3o}. A folder of lines shows a
 * progress bar. WAVs are read with {@link WavReader}, OGGs with jME. A line that fails (unreadable,
 * silent, corrupt, truncated, or out of memory while decoding) is reported and skipped; the batch goes on. Lines whose
 * clip names collide
 * ({@code line.wav} and {@code line.ogg}, or {@code LINE.WAV}, which case-insensitive file systems
 * treat as one file) all fail before any baking, each naming the others, rather than overwrite one
 * another. The summary reports every input, baked or failed with its reason; the exit status is 1
 * if any failed. Numbers are checked up front as usage errors (exit 2): {@code --steps} in
 * [1, {@value #MAX_STEPS}], guidance scales finite in [0, {@value #MAX_GUIDANCE}], the rescale in [0, 1].
 */
final class Bake {

    /** The audio files a folder bake picks up. */
    static final List<String> EXTENSIONS = List.of(".wav", ".ogg");
    /** Most DDIM steps {@code --steps} takes (a pack's schedule caps them further). */
    static final int MAX_STEPS = 1000;
    /** Largest guidance scale {@code --audio-guidance} and {@code --style-guidance} take. */
    static final float MAX_GUIDANCE = 50f;

    private final PrintStream out;
    private final PrintStream err;

    Bake(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(ParleyTool.Args a) throws IOException {
        Path input = null;
        Path styleFile = null;
        Path outDir = null;
        Path packFolder = Roots.root().resolve(ParleyTool.DEFAULT_PACK);
        Path assets = null;
        long seed = 1L;
        int steps = 0;
        float audioGuidance = Float.NaN;
        float styleGuidance = Float.NaN;
        float guidanceRescale = Float.NaN;
        while (a.hasNext()) {
            String t = a.next("argument");
            switch (t) {
                case "--style" -> styleFile = Path.of(a.next("--style value"));
                case "--out" -> outDir = Path.of(a.next("--out value"));
                case "--pack" -> packFolder = Path.of(a.next("--pack value"));
                case "--assets" -> assets = Path.of(a.next("--assets value"));
                case "--seed" -> seed = ParleyTool.integer(t, a.next("--seed value"), Long.MIN_VALUE, Long.MAX_VALUE);
                case "--steps" -> steps = (int) ParleyTool.integer(t, a.next("--steps value"), 1, MAX_STEPS);
                case "--audio-guidance" -> audioGuidance = ParleyTool.number(t, a.next(t), 0f, MAX_GUIDANCE);
                case "--style-guidance" -> styleGuidance = ParleyTool.number(t, a.next(t), 0f, MAX_GUIDANCE);
                case "--guidance-rescale" -> guidanceRescale = ParleyTool.number(t, a.next(t), 0f, 1f);
                default -> {
                    if (t.startsWith("--") || input != null) {
                        throw new ParleyTool.UsageException("unexpected argument '" + t + "'");
                    }
                    input = Path.of(t);
                }
            }
        }
        if (input == null || styleFile == null || outDir == null) {
            throw new ParleyTool.UsageException("bake needs AUDIO|FOLDER, --style and --out");
        }
        LineOptions options = new LineOptions(steps, audioGuidance, styleGuidance, guidanceRescale, seed, true, false);
        List<Path> lines = lines(input);
        Map<Path, String> collisions = collisions(lines);
        Style style = ParleyTool.readStyle(styleFile);
        Path assetsFolder = assets != null ? assets : Roots.assets();
        Files.createDirectories(outDir);

        AssetManager am = new DesktopAssetManager(true);
        am.registerLocator(assetsFolder.toString(), FileLocator.class);
        HeadSpec spec = HeadSpec.load(am, "Models/ParleyHead/ParleyHead.spec.json");
        Spatial head = am.loadModel("Models/ParleyHead/ParleyHead.glb");
        RigNames names = RigNames.fromSpec(spec);

        long t0 = System.nanoTime();
        List<String> report = new ArrayList<>();
        float seconds = 0f;
        int baked = 0;
        try (ParleyPack pack = ParleyTool.openPack(packFolder); LineBaker baker = new LineBaker(pack)) {
            pack.checkStyle(style);
            pack.checkHead(spec);
            float fps = pack.manifest().motion().fps();
            for (int i = 0; i < lines.size(); i++) {
                Path line = lines.get(i);
                progress(i, lines.size(), line.getFileName().toString());
                if (collisions.containsKey(line)) {
                    report.add("failed: " + line.getFileName() + ": " + collisions.get(line));
                    continue;
                }
                try {
                    PcmClip clip = readAudio(line);
                    LineBaker.Result r = baker.generate(clip, style, options);
                    String name = stem(line);
                    AnimClip animClip = FaceClips.build(name, r.motion(), r.frames(), pack.manifest().motion(), head,
                            names);
                    Path target = outDir.resolve(name + ".j3o");
                    BinaryExporter.getInstance().save(FaceClips.detached(animClip), target.toFile());
                    seconds += r.frames() / fps;
                    baked++;
                    report.add(String.format(Locale.ROOT, "baked: %s -> %s (%.1f s)", line.getFileName(),
                            target.getFileName(), r.frames() / fps));
                } catch (Exception e) {
                    report.add("failed: " + line.getFileName() + ": " + withoutName(e.getMessage(), line));
                } catch (OutOfMemoryError e) {
                    // A header may claim gigabytes the decoder then allocates; the allocation failed, so the
                    // memory is free again and the other lines can still be baked.
                    report.add("failed: " + line.getFileName() + ": out of memory decoding it (" + e.getMessage()
                            + "): its header may claim more audio than the file holds");
                }
            }
        }
        progress(lines.size(), lines.size(), "");
        err.println();
        double wall = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "baked %d of %d line(s): %.1f s of motion in %.1f s (style '%s', seed %d) -> %s%n",
                baked, lines.size(),
                seconds, wall, Printable.line(style.displayName()), seed, outDir);
        for (String r : report) {
            out.println("  " + Printable.line(r));
        }
        return baked == lines.size() ? 0 : 1;
    }

    /**
     * Finds lines that would be baked to the same clip: names equal up to extension and case (case-insensitive
     * file systems would write both to one file).
     *
     * @param lines the inputs (not null, unaffected)
     * @return the reason for each colliding line, naming the others (a new map; empty if none collide)
     */
    static Map<Path, String> collisions(List<Path> lines) {
        Map<String, List<Path>> byClip = new LinkedHashMap<>();
        for (Path line : lines) {
            byClip.computeIfAbsent(stem(line).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(line);
        }
        Map<Path, String> reasons = new HashMap<>();
        for (List<Path> same : byClip.values()) {
            if (same.size() < 2) {
                continue;
            }
            for (Path line : same) {
                List<String> others = same.stream().filter(p -> p != line).map(p -> p.getFileName().toString())
                        .toList();
                reasons.put(line, "would be baked to " + stem(line) + ".j3o like " + String.join(", ", others)
                        + " (names that differ only in extension or case make one clip): rename all but one; "
                        + "none was baked");
            }
        }
        return reasons;
    }

    private static List<Path> lines(Path input) throws IOException {
        if (Files.isDirectory(input)) {
            try (Stream<Path> s = Files.list(input)) {
                List<Path> found =
                        s.filter(p -> EXTENSIONS.stream()
                        .anyMatch(e -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(e)))
                        .sorted().toList();
                if (found.isEmpty()) {
                    throw new IllegalArgumentException(input + ": no .wav or .ogg lines in the folder");
                }
                return found;
            }
        }
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException(input + ": no such file or folder");
        }
        return List.of(input);
    }

    /**
     * Decodes a WAV file with Parley's own reader (24-bit, 32-bit and float included, the header checked
     * against the file) or an OGG file with jME's loader (its failures named as Parley's).
     *
     * @param file the audio file (not null)
     * @return its PCM (not null)
     * @throws IOException if it cannot be read
     * @throws dev.parley.audio.AudioInputException naming the file and the problem
     */
    static PcmClip readAudio(Path file) throws IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav")) {
            return WavReader.read(file);
        }
        AssetManager am = new DesktopAssetManager(true);
        Path abs = file.toAbsolutePath();
        am.registerLocator(abs.getParent().toString(), FileLocator.class);
        return AudioFiles.read(am, abs.getFileName().toString());
    }

    /** @return a message without the {@code 'line.wav': } it may start with (the report names the line) */
    private static String withoutName(String message, Path line) {
        String prefix = "'" + line.getFileName() + "': ";
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private void progress(int done, int total, String current) {
        ProgressBar.print(err, done, total, current);
    }
}
