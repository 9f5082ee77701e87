package dev.parley.tools;

import com.jme3.anim.AnimClip;
import com.jme3.asset.AssetManager;
import com.jme3.asset.DesktopAssetManager;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioKey;
import com.jme3.export.binary.BinaryExporter;
import com.jme3.scene.Spatial;
import dev.parley.anim.FaceClips;
import dev.parley.app.LineOptions;
import dev.parley.audio.AudioDataReader;
import dev.parley.audio.PcmClip;
import dev.parley.head.HeadSpec;
import dev.parley.pack.ParleyPack;
import dev.parley.rig.RigNames;
import dev.parley.style.Style;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code parley-tool bake}: dialogue audio plus a style to jME animation clips. Each line's motion
 * comes from {@link LineBaker} (the runtime's inference, seeded, not adaptive) and becomes an
 * {@link AnimClip} ({@link FaceClips}) saved as {@code OUT/<line>.j3o}. A folder of lines shows a
 * progress bar; a line that fails (unreadable, silent, corrupt) is reported and skipped, and the
 * summary lists it; the exit status is then 1.
 */
final class Bake {

    /** The audio files a folder bake picks up. */
    static final List<String> EXTENSIONS = List.of(".wav", ".ogg");

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
            try {
                switch (t) {
                    case "--style" -> styleFile = Path.of(a.next("--style value"));
                    case "--out" -> outDir = Path.of(a.next("--out value"));
                    case "--pack" -> packFolder = Path.of(a.next("--pack value"));
                    case "--assets" -> assets = Path.of(a.next("--assets value"));
                    case "--seed" -> seed = Long.parseLong(a.next("--seed value"));
                    case "--steps" -> steps = Integer.parseInt(a.next("--steps value"));
                    case "--audio-guidance" -> audioGuidance = Float.parseFloat(a.next("--audio-guidance value"));
                    case "--style-guidance" -> styleGuidance = Float.parseFloat(a.next("--style-guidance value"));
                    case "--guidance-rescale" -> guidanceRescale = Float.parseFloat(a.next("--guidance-rescale value"));
                    default -> {
                        if (t.startsWith("--") || input != null) {
                            throw new ParleyTool.UsageException("unexpected argument '" + t + "'");
                        }
                        input = Path.of(t);
                    }
                }
            } catch (NumberFormatException e) {
                throw new ParleyTool.UsageException("'" + t + "' needs a number: " + e.getMessage());
            }
        }
        if (input == null || styleFile == null || outDir == null) {
            throw new ParleyTool.UsageException("bake needs AUDIO|FOLDER, --style and --out");
        }
        if (steps < 0) {
            throw new ParleyTool.UsageException("--steps must be >= 1");
        }
        LineOptions options;
        try {
            options = new LineOptions(steps, audioGuidance, styleGuidance, guidanceRescale, seed, true, false);
        } catch (IllegalArgumentException e) {
            throw new ParleyTool.UsageException(e.getMessage());
        }
        List<Path> lines = lines(input);
        Style style = ParleyTool.readStyle(styleFile);
        Path assetsFolder = assets != null ? assets : Roots.assets();
        Files.createDirectories(outDir);

        AssetManager am = new DesktopAssetManager(true);
        am.registerLocator(assetsFolder.toString(), FileLocator.class);
        HeadSpec spec = HeadSpec.load(am, "Models/ParleyHead/ParleyHead.spec.json");
        Spatial head = am.loadModel("Models/ParleyHead/ParleyHead.glb");
        RigNames names = RigNames.fromSpec(spec);

        long t0 = System.nanoTime();
        List<String> failures = new ArrayList<>();
        float seconds = 0f;
        int baked = 0;
        try (ParleyPack pack = ParleyTool.openPack(packFolder); LineBaker baker = new LineBaker(pack)) {
            pack.checkStyle(style);
            pack.checkHead(spec);
            for (int i = 0; i < lines.size(); i++) {
                Path line = lines.get(i);
                progress(i, lines.size(), line.getFileName().toString());
                try {
                    PcmClip clip = readAudio(line);
                    LineBaker.Result r = baker.generate(clip, style, options);
                    String name = stem(line);
                    AnimClip animClip = FaceClips.build(name, r.motion(), r.frames(), pack.manifest().motion(), head, names);
                    Path target = outDir.resolve(name + ".j3o");
                    BinaryExporter.getInstance().save(FaceClips.detached(animClip), target.toFile());
                    seconds += r.frames() / (float) pack.manifest().motion().fps();
                    baked++;
                } catch (IOException | RuntimeException e) {
                    failures.add(line.getFileName() + ": " + e.getMessage());
                }
            }
        }
        progress(lines.size(), lines.size(), "");
        err.println();
        double wall = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "baked %d of %d line(s): %.1f s of motion in %.1f s (style '%s', seed %d) -> %s%n", baked, lines.size(),
                seconds, wall, style.displayName(), seed, outDir);
        for (String f : failures) {
            out.println("  failed: " + f);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private static List<Path> lines(Path input) throws IOException {
        if (Files.isDirectory(input)) {
            try (Stream<Path> s = Files.list(input)) {
                List<Path> found = s.filter(p -> EXTENSIONS.stream().anyMatch(e -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(e)))
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
     * Decodes a WAV or OGG file with jME's loaders (no audio device needed).
     *
     * @param file the audio file (not null)
     * @return its PCM (not null)
     * @throws IOException if it cannot be read
     */
    static PcmClip readAudio(Path file) throws IOException {
        AssetManager am = new DesktopAssetManager(true);
        Path abs = file.toAbsolutePath();
        am.registerLocator(abs.getParent().toString(), FileLocator.class);
        AudioData data;
        try {
            data = am.loadAudio(new AudioKey(abs.getFileName().toString(), false));
        } catch (RuntimeException e) {
            throw new IOException("not readable audio (" + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")", e);
        }
        return AudioDataReader.read(data, abs.getFileName().toString());
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private void progress(int done, int total, String current) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d %-40s", "#".repeat(filled), ".".repeat(width - filled), done, total,
                current.length() > 40 ? current.substring(0, 40) : current);
        err.flush();
    }
}
