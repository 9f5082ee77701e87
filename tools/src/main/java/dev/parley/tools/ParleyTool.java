package dev.parley.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.app.LineOptions;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.ParleyPack;
import dev.parley.style.Style;
import dev.parley.style.StyleLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Parley's command-line tools for modders ({@code scripts/parley-tool.sh}):
 * <pre>
 * style list    [--assets DIR] [--pack DIR]
 * style extract CLIP... --name NAME --out FILE.style.json [--pack DIR]
 * style blend   A.style.json=W B.style.json=W ... --name NAME --out FILE.style.json
 * style presets [--corpus DIR] [--pack DIR] [--assets DIR]
 * style previews [--line AUDIO] [--out DIR] [--pack DIR] [--assets DIR]
 * bake          AUDIO|FOLDER --style FILE.style.json --out DIR [--seed N] [--steps N]
 *               [--audio-guidance A] [--style-guidance S] [--guidance-rescale R] [--pack DIR] [--assets DIR]
 * adapt         TAKE.wav TAKE.npz [TAKE.wav TAKE.npz ...] --out FILE.adapter [--pack DIR] [--ranks R...]
 *               [--steps N] [--batch B] [--lr L] [--seed S] [--threads T] [--python EXE] [--models DIR]
 * </pre>
 * Paths are relative to the working directory; defaults are under the repository root
 * ({@code -Dparley.root}, else the nearest folder above with {@code assets/}). Exit status 0 on
 * success, 1 when some input failed (or, for {@code adapt}, Python with PyTorch is missing), 2 on a usage
 * error (numbers out of range included: they are checked before any work). Text from files (style names,
 * messages quoting them) is printed with control characters escaped ({@link Printable}).
 */
public final class ParleyTool {

    /** The pack used unless {@code --pack} says otherwise, relative to the repository root. */
    public static final String DEFAULT_PACK = "models/packs/parley-base-v1";
    /** Where presets live, relative to the assets folder. */
    public static final String STYLES_FOLDER = "Styles";
    /** The preset library's index, in the styles folder. */
    public static final String PRESETS_INDEX = "presets.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param out where results go (not null)
     * @param err where progress and errors go (not null)
     */
    public ParleyTool(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * @param args the command line (see the class comment)
     */
    public static void main(String[] args) {
        Logger.getLogger("").setLevel(Level.WARNING);
        System.exit(new ParleyTool(System.out, System.err).run(args));
    }

    /**
     * Runs one command.
     *
     * @param args the command line (not null)
     * @return the exit status: 0 success, 1 some input failed, 2 usage error
     */
    public int run(String... args) {
        Args a = new Args(args);
        try {
            String cmd = a.next("command");
            switch (cmd) {
                case "style" -> {
                    String sub = a.next("style subcommand (list, extract, blend, presets)");
                    switch (sub) {
                        case "list" -> {
                            return styleList(a);
                        }
                        case "extract" -> styleExtract(a);
                        case "blend" -> styleBlend(a);
                        case "presets" -> stylePresets(a);
                        case "previews" -> stylePreviews(a);
                        default -> throw new UsageException("unknown style subcommand '" + sub + "'");
                    }
                    return 0;
                }
                case "bake" -> {
                    return new Bake(out, err).run(a);
                }
                case "adapt" -> {
                    return new Adapt(out, err).run(a);
                }
                case "help", "--help", "-h" -> {
                    usage(out);
                    return 0;
                }
                default -> throw new UsageException("unknown command '" + cmd + "'");
            }
        } catch (UsageException e) {
            err.println("parley-tool: " + Printable.lines(e.getMessage()));
            usage(err);
            return 2;
        } catch (Exception e) {
            err.println("parley-tool: " + Printable.lines(String.valueOf(e.getMessage())));
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("parley-tool: out of memory (" + e.getMessage() + ")");
            return 1;
        }
    }

    private static void usage(PrintStream s) {
        s.println("""
                usage: parley-tool <command>
                  style list    [--assets DIR] [--pack DIR]              the preset library: names, packs, sources
                  style extract CLIP... --name NAME --out FILE.style.json [--pack DIR]
                                CLIP: corpus clip .npz, .npy [T,56] or .csv of 56 columns, 25 fps, >= 4 s
                  style blend   A.style.json=W B.style.json=W ... --name NAME --out FILE.style.json
                  style presets [--corpus DIR] [--pack DIR] [--assets DIR]
                                re-extract the preset library from held-out corpus speakers (after a new pack)
                  style previews [--line AUDIO] [--out DIR] [--pack DIR] [--assets DIR]
                                PNG strips of the head saying one line in each preset (needs a display: xvfb-run -a)
                  bake          AUDIO|FOLDER --style FILE.style.json --out DIR [--seed N] [--steps N]
                                [--audio-guidance A] [--style-guidance S] [--guidance-rescale R] [--pack DIR]
                                audio (.wav/.ogg) to jME AnimClips (.j3o) with morph and joint tracks;
                                N: 1 to 1000, A and S: 0 to 50, R: 0 to 1
                  adapt         TAKE.wav TAKE.npz [TAKE.wav TAKE.npz ...] --out FILE.adapter [--pack DIR]
                                [--ranks R...] [--steps N] [--batch B] [--lr L] [--seed S] [--threads T]
                                [--python EXE] [--models DIR]
                                fit an expression adapter to a performer's take (python3 -m parley adapt, which
                                needs PyTorch); EXE: else $PARLEY_PYTHON, else /usr/bin/python3, else python3;
                                DIR: else $PARLEY_MODELS, else models/ in the repository""");
    }

    // ---- style list ----

    private int styleList(Args a) throws IOException {
        Path assets = a.path("--assets", Roots.assets());
        Path pack = a.path("--pack", Roots.root().resolve(DEFAULT_PACK));
        a.done();
        Path folder = assets.resolve(STYLES_FOLDER);
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder
                    + ": no styles folder (make the presets: parley-tool style presets)");
        }
        JsonNode index = Files.isRegularFile(folder.resolve(PRESETS_INDEX))
                ? JSON.readTree(folder.resolve(PRESETS_INDEX).toFile()) : null;
        String packId = null;
        String encoderSha = null;
        if (Files.isRegularFile(pack.resolve("manifest.json"))) {
            JsonNode m = JSON.readTree(pack.resolve("manifest.json").toFile());
            packId = m.get("id").asText();
            encoderSha = sha256(pack.resolve(m.get("models").get("styleEncoder").asText()));
        }
        boolean stale = index != null && encoderSha != null
                && !encoderSha.equals(index.path("styleEncoderSha256").asText());
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".style.json")).sorted().toList();
        }
        out.printf(Locale.ROOT, "%-12s %-12s %-18s %4s  %s%n", "name", "display", "pack", "dim", "source");
        int broken = 0;
        for (Path f : files) {
            String name = f.getFileName().toString().replace(".style.json", "");
            Style st;
            try {
                st = readStyle(f);
            } catch (IOException | RuntimeException e) {
                broken++;
                out.printf(Locale.ROOT, "%-12s broken: %s%n", Printable.line(name),
                        Printable.line(firstLine(e.getMessage())));
                continue;
            }
            String source = "custom";
            if (index != null) {
                for (JsonNode p : index.get("presets")) {
                    if (p.get("name").asText().equals(name)) {
                        source = "corpus speaker " + p.get("speaker").asText() + " (" + p.get("split").asText() + ", "
                                + p.get("voice").asText() + ")";
                    }
                }
            }
            String fit = packId == null ? "" : !st.packId().equals(packId) ? "  [other pack: re-extract]" : "";
            out.printf(Locale.ROOT, "%-12s %-12s %-18s %4d  %s%s%n", Printable.line(name),
                    Printable.line(st.displayName()), Printable.line(st.packId()), st.dimension(),
                    Printable.line(source),
                    fit);
        }
        if (stale) {
            out.println("note: the presets were extracted with another build of " + packId
                    + "'s style encoder; regenerate them: scripts/parley-tool.sh style presets");
        }
        if (broken > 0) {
            out.println(broken + " of " + files.size() + " style file(s) are broken (listed above)");
        }
        return broken == 0 ? 0 : 1;
    }

    // ---- style extract ----

    private void styleExtract(Args a) throws IOException {
        List<Path> clips = new ArrayList<>();
        String name = null;
        Path outFile = null;
        Path packFolder = Roots.root().resolve(DEFAULT_PACK);
        while (a.hasNext()) {
            String t = a.next("argument");
            switch (t) {
                case "--name" -> name = a.next("--name value");
                case "--out" -> outFile = Path.of(a.next("--out value"));
                case "--pack" -> packFolder = Path.of(a.next("--pack value"));
                default -> {
                    if (t.startsWith("--")) {
                        throw new UsageException("unknown option '" + t + "'");
                    }
                    clips.add(Path.of(t));
                }
            }
        }
        if (clips.isEmpty() || name == null || outFile == null) {
            throw new UsageException("style extract needs at least one clip, --name and --out");
        }
        try (ParleyPack pack = openPack(packFolder)) {
            List<MotionClip> read = new ArrayList<>();
            for (Path c : clips) {
                read.add(MotionReader.read(c, pack.manifest().motion().dim()));
            }
            StyleExtraction.Extraction x = StyleExtraction.extract(pack, name, outFile.toString(), read);
            write(x.style(), outFile);
            out.println(Printable.line("wrote " + outFile + " (" + name + ", pack " + x.style().packId() + ", from "
                    + x.used().size() + " of " + clips.size() + " clip(s), " + x.windows() + " window(s))"));
            for (String skipped : x.skipped()) {
                out.println("  skipped: " + Printable.line(skipped));
            }
        }
    }

    // ---- style blend ----

    private void styleBlend(Args a) throws IOException {
        List<Style> parents = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        String name = null;
        Path outFile = null;
        while (a.hasNext()) {
            String t = a.next("argument");
            switch (t) {
                case "--name" -> name = a.next("--name value");
                case "--out" -> outFile = Path.of(a.next("--out value"));
                default -> {
                    if (t.startsWith("--")) {
                        throw new UsageException("unknown option '" + t + "'");
                    }
                    int eq = t.lastIndexOf('=');
                    Path file = Path.of(eq < 0 ? t : t.substring(0, eq));
                    float w = eq < 0 ? 1f : number("the weight after '=' in '" + t + "'", t.substring(eq + 1), 0f,
                            MAX_WEIGHT);
                    parents.add(readStyle(file));
                    weights.add(w);
                }
            }
        }
        if (parents.size() < 2 || name == null || outFile == null) {
            throw new UsageException("style blend needs at least two styles (FILE=WEIGHT), --name and --out");
        }
        float[] w = new float[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        Style blend = StyleExtraction.blend(name, outFile.toString(), parents, w);
        write(blend, outFile);
        out.println(Printable.line("wrote " + outFile + " (" + name + ", pack " + blend.packId() + ", blend of "
                + parents.size() + ")"));
    }

    // ---- style presets ----

    private void stylePresets(Args a) throws IOException {
        Path corpus = a.path("--corpus", Roots.corpus());
        Path packFolder = a.path("--pack", Roots.root().resolve(DEFAULT_PACK));
        Path assets = a.path("--assets", Roots.assets());
        a.done();
        List<PresetSelection.Choice> choices = PresetSelection.choose(corpus);
        Path folder = assets.resolve(STYLES_FOLDER);
        Files.createDirectories(folder);
        ObjectNode index = JSON.createObjectNode();
        try (ParleyPack pack = openPack(packFolder)) {
            index.put("format", "parley-style-presets").put("version", 1).put("pack", pack.manifest().id())
                    .put("packVersion", pack.manifest().packVersion())
                    .put("styleEncoderSha256", sha256(packFolder.resolve(pack.manifest().styleEncoderFile())))
                    .put("corpus", corpus.getFileName().toString())
                    .put("rule", "docs/modding.md#the-preset-library: held-out speakers (splits "
                            + PresetSelection.SPLITS
                            + "), latents z-scored over all speakers, recipe score = mean signed z, greedy in recipe "
                            + "order");
            ArrayNode presets = index.putArray("presets");
            for (PresetSelection.Choice c : choices) {
                List<MotionClip> clips = new ArrayList<>();
                for (String id : c.clips()) {
                    clips.add(MotionReader.read(corpus.resolve("clips").resolve(id + ".npz"),
                            pack.manifest().motion().dim()));
                }
                String display = Character.toUpperCase(c.preset().charAt(0)) + c.preset().substring(1);
                Path file = folder.resolve(c.preset() + ".style.json");
                StyleExtraction.Extraction x = StyleExtraction.extract(pack, display, STYLES_FOLDER + "/"
                        + file.getFileName(), clips);
                write(x.style(), file);
                for (String skipped : x.skipped()) {
                    err.println("  skipped: " + skipped);
                }
                ObjectNode p = presets.addObject();
                p.put("name", c.preset()).put("file", file.getFileName().toString()).put("speaker", c.speaker())
                        .put("split", c.split()).put("voice", c.voice())
                        .put("score", Math.round(c.score() * 1000) / 1000.0)
                        .put("clips", x.used().size());
                ObjectNode lat = p.putObject("latents");
                c.latents()
                        .forEach((k, v) -> lat.putArray(k).add(Math.round(v[0] * 1000) / 1000.0)
                        .add(Math.round(v[1] * 100) / 100.0));
                err.printf(Locale.ROOT, "%-10s <- %s (%s, %s), score %.2f, %d clips%n", c.preset(), c.speaker(),
                        c.split(), c.voice(),
                        c.score(), x.used().size());
            }
        }
        JSON.writeValue(folder.resolve(PRESETS_INDEX).toFile(), index);
        out.println("wrote " + choices.size() + " presets and " + PRESETS_INDEX + " into " + folder);
    }

    // ---- style previews ----

    /** Frames per preview strip. */
    static final int PREVIEW_FRAMES = 6;
    /** Tile size of preview strips, in pixels. */
    static final int PREVIEW_SIZE = 200;

    private void stylePreviews(Args a) throws Exception {
        Path assets = a.path("--assets", Roots.assets());
        Path line = a.path("--line", assets.resolve("Sounds/Dialogue/greeting.ogg"));
        Path outDir = a.path("--out", Roots.root().resolve("docs/images/styles"));
        Path packFolder = a.path("--pack", Roots.root().resolve(DEFAULT_PACK));
        a.done();
        Path folder = assets.resolve(STYLES_FOLDER);
        JsonNode index = JSON.readTree(folder.resolve(PRESETS_INDEX).toFile());
        List<String> presets = new ArrayList<>();
        index.get("presets").forEach(p -> presets.add(p.get("name").asText()));
        dev.parley.audio.PcmClip clip = Bake.readAudio(line);
        var am = new com.jme3.asset.DesktopAssetManager(true);
        am.registerLocator(assets.toString(), com.jme3.asset.plugins.FileLocator.class);
        dev.parley.head.HeadSpec spec = dev.parley.head.HeadSpec.load(am, "Models/ParleyHead/ParleyHead.spec.json");
        List<float[]> frames = new ArrayList<>();
        List<Float> times = new ArrayList<>();
        dev.parley.head.MotionLayout layout;
        try (ParleyPack pack = openPack(packFolder); LineBaker baker = new LineBaker(pack)) {
            layout = pack.manifest().motion();
            int dim = layout.dim();
            for (String name : presets) {
                Style style = readStyle(folder.resolve(name + ".style.json"));
                LineBaker.Result r = baker.generate(clip, style, LineOptions.DEFAULTS.withSteps(10).withSeed(1L));
                for (int k = 0; k < PREVIEW_FRAMES; k++) {
                    int f = (int) ((0.1 + 0.8 * k / (PREVIEW_FRAMES - 1)) * (r.frames() - 1));
                    float[] m = new float[dim];
                    System.arraycopy(r.motion(), f * dim, m, 0, dim);
                    frames.add(m);
                    if (times.size() < PREVIEW_FRAMES) {
                        times.add(f / (float) layout.fps());
                    }
                }
                err.println("previews: " + name + " generated");
            }
        }
        List<java.awt.image.BufferedImage> tiles = PreviewRenderer.render(assets,
                dev.parley.rig.RigNames.fromSpec(spec), layout, frames,
                PREVIEW_SIZE);
        java.nio.file.Files.createDirectories(outDir);
        int label = 110;
        int w = label + PREVIEW_FRAMES * PREVIEW_SIZE;
        var sheet = new java.awt.image.BufferedImage(w, presets.size() * PREVIEW_SIZE,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        var gs = sheet.createGraphics();
        for (int p = 0; p < presets.size(); p++) {
            var strip = new java.awt.image.BufferedImage(w, PREVIEW_SIZE, java.awt.image.BufferedImage.TYPE_INT_RGB);
            var g = strip.createGraphics();
            g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING,
                    java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new java.awt.Color(30, 34, 40));
            g.fillRect(0, 0, label, PREVIEW_SIZE);
            g.setColor(java.awt.Color.WHITE);
            g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 18));
            g.drawString(presets.get(p), 10, PREVIEW_SIZE / 2);
            g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
            for (int k = 0; k < PREVIEW_FRAMES; k++) {
                g.drawImage(tiles.get(p * PREVIEW_FRAMES + k), label + k * PREVIEW_SIZE, 0, null);
                g.drawString(String.format(Locale.ROOT, "%.2f s", times.get(k)), label + k * PREVIEW_SIZE + 6,
                        PREVIEW_SIZE - 8);
            }
            g.dispose();
            javax.imageio.ImageIO.write(strip, "png", outDir.resolve(presets.get(p) + ".png").toFile());
            gs.drawImage(strip, 0, p * PREVIEW_SIZE, null);
        }
        gs.dispose();
        javax.imageio.ImageIO.write(sheet, "png", outDir.resolve("presets.png").toFile());
        out.println("wrote " + presets.size() + " preview strips and presets.png into " + outDir + " (line "
                + line.getFileName()
                + ", seed 1, 10 steps, pack " + index.get("pack").asText() + " " + index.get("packVersion").asText()
                + ")");
    }

    // ---- shared ----

    /**
     * Opens a pack on the CPU with one thread.
     *
     * @param folder the pack folder (not null)
     * @return the open pack (not null; the caller closes it)
     */
    static ParleyPack openPack(Path folder) {
        return ParleyPack.load(folder, InferenceRuntime.create(1, false));
    }

    /**
     * @param file a .style.json (not null)
     * @return the style (not null)
     * @throws IOException if the file cannot be read
     */
    static Style readStyle(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such style file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return StyleLoader.read(in, file.toString());
        }
    }

    /**
     * @param style the style (not null)
     * @param file where to write it (not null; parent folders are made)
     * @throws IOException if it cannot be written
     */
    static void write(Style style, Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (OutputStream o = Files.newOutputStream(file)) {
            StyleLoader.write(style, o);
        }
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Largest weight {@code style blend} takes for a parent (weights are normalised to sum 1). */
    static final float MAX_WEIGHT = 1000f;

    /**
     * Parses a number option, checked before any work.
     *
     * @param option the option's name for the message, e.g. {@code --audio-guidance} (not null)
     * @param text its value (not null)
     * @param min the least allowed value (finite)
     * @param max the largest allowed value (finite, &ge; min)
     * @return the value, finite and in [min, max]
     * @throws UsageException naming the option, the allowed range and the value
     */
    static float number(String option, String text, float min, float max) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v >= min && v <= max)) {
            throw new UsageException(option + " must be a finite number in [" + plain(min) + ", " + plain(max)
                    + "] but is '"
                    + text + "'");
        }
        return (float) v;
    }

    /**
     * Parses an integer option, checked before any work.
     *
     * @param option the option's name for the message (not null)
     * @param text its value (not null)
     * @param min the least allowed value
     * @param max the largest allowed value (&ge; min)
     * @return the value, in [min, max]
     * @throws UsageException naming the option, the allowed range and the value
     */
    static long integer(String option, String text, long min, long max) {
        try {
            long v = Long.parseLong(text.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " must be an integer in [" + min + ", " + max + "] but is '" + text + "'");
    }

    /** @return the first line of a message (Jackson's add their source location on a second) */
    static String firstLine(String message) {
        return message == null ? "(no message)" : message.lines().findFirst().orElse("");
    }

    private static String plain(float v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** A command line error: the usage is printed. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The arguments, consumed in order. */
    static final class Args {
        private final String[] args;
        private int at;

        Args(String[] args) {
            this.args = args.clone();
        }

        boolean hasNext() {
            return at < args.length;
        }

        /** @return the next argument without consuming it, or null at the end */
        String peek() {
            return at < args.length ? args[at] : null;
        }

        String next(String what) {
            if (at >= args.length) {
                throw new UsageException("missing " + what);
            }
            return args[at++];
        }

        /** Reads "--flag value" pairs until the end; returns the value of one flag or a default. */
        Path path(String flag, Path fallback) {
            for (int i = at; i < args.length - 1; i++) {
                if (args[i].equals(flag)) {
                    return Path.of(args[i + 1]);
                }
            }
            return fallback;
        }

        /** Checks that every remaining argument is a known "--flag value" pair of the path() kind. */
        void done() {
            for (int i = at; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new UsageException("unexpected argument '" + args[i] + "'");
                }
            }
            at = args.length;
        }
    }
}
