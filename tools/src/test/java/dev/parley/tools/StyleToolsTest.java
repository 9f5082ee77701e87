package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.style.Style;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code style list} and {@code style extract} on the shipped assets and pack, and their errors. */
class StyleToolsTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int tool(String... args) {
        out.reset();
        err.reset();
        return new ParleyTool(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @Test
    void listShowsTheShippedPresetsWithTheirPack() {
        assertEquals(0, tool("style", "list"), err.toString());
        String text = out.toString();
        for (String name : new String[] {"calm", "animated", "stern", "nervous", "cheerful", "mumbling", "emphatic",
                "sombre"}) {
            assertTrue(text.contains(name) && text.contains("parley-base-v1"), "lists " + name + ":\n" + text);
        }
        assertTrue(text.contains("corpus speaker spk"), text);
    }

    @Test
    void extractReadsNpyCsvAndNpzAlikeAndWritesAUnitStyle() throws IOException {
        float[] motion = motion(130);
        Path npy = tmp.resolve("clip.npy");
        Files.write(npy, npy(motion, 130, 56));
        Path csv = tmp.resolve("clip.csv");
        StringBuilder sb = new StringBuilder("# a header line\n");
        for (int t = 0; t < 130; t++) {
            for (int k = 0; k < 56; k++) {
                sb.append(k > 0 ? "," : "").append(motion[t * 56 + k]);
            }
            sb.append('\n');
        }
        Files.writeString(csv, sb);
        Path npz = tmp.resolve("clip.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            zip.putNextEntry(new ZipEntry("audio.npy"));
            zip.write(npy(new float[4], 2, 2));
            zip.putNextEntry(new ZipEntry("motion.npy"));
            zip.write(npy(motion, 130, 56));
        }
        Style[] styles = new Style[3];
        Path[] inputs = {npy, csv, npz};
        for (int i = 0; i < 3; i++) {
            Path target = tmp.resolve("s" + i + ".style.json");
            assertEquals(0,
                    tool("style", "extract", inputs[i].toString(), "--name", "Mine", "--out", target.toString()),
                    err.toString());
            styles[i] = ParleyTool.readStyle(target);
            assertEquals("parley-base-v1", styles[i].packId());
            assertEquals(128, styles[i].dimension());
            double n = 0;
            for (float v : styles[i].embedding()) {
                n += v * v;
            }
            assertEquals(1.0, Math.sqrt(n), 1e-4, "unit length like the encoder's outputs");
        }
        for (int i = 1; i < 3; i++) {
            float[] a = styles[0].embedding();
            float[] b = styles[i].embedding();
            for (int k = 0; k < a.length; k++) {
                assertEquals(a[k], b[k], 1e-5, "same motion, same style: " + inputs[i]);
            }
        }
    }

    @Test
    void extractExplainsWrongShapesAndShortClips() throws IOException {
        Path narrow = tmp.resolve("narrow.npy");
        Files.write(narrow, npy(new float[120 * 55], 120, 55));
        assertEquals(1,
                tool("style", "extract", narrow.toString(), "--name", "x", "--out",
                tmp.resolve("x.style.json").toString()));
        assertTrue(err.toString().contains("[120, 55]") && err.toString().contains("[T, 56]"), err.toString());

        Path shortClip = tmp.resolve("short.npy");
        Files.write(shortClip, npy(new float[40 * 56], 40, 56));
        assertEquals(1,
                tool("style", "extract", shortClip.toString(), "--name", "x", "--out",
                tmp.resolve("x.style.json").toString()));
        assertTrue(err.toString().contains("too short") && err.toString().contains("100 frames"), err.toString());

        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello");
        assertEquals(1,
                tool("style", "extract", text.toString(), "--name", "x", "--out",
                tmp.resolve("x.style.json").toString()));
        assertTrue(err.toString().contains("unknown motion format"), err.toString());

        assertEquals(2, tool("style", "extract", "--name", "x"));
        assertTrue(err.toString().contains("usage"), err.toString());
    }

    /**
     * Issue 15 item 13: {@code style list} reports a broken style file and lists the rest; a display name
     * holding terminal escape sequences is printed with them escaped.
     */
    @Test
    void listReportsABrokenStyleAndGoesOnWithEscapesShownNotRun() throws IOException {
        Path styles = Files.createDirectories(tmp.resolve("assets").resolve(ParleyTool.STYLES_FOLDER));
        Files.copy(Roots.assets().resolve("Styles/calm.style.json"), styles.resolve("calm.style.json"));
        Files.writeString(styles.resolve("broken.style.json"), "{\"format\": \"parley-style\", \"version\": ");
        Style calm = ParleyTool.readStyle(styles.resolve("calm.style.json"));
        ParleyTool.write(new Style("x", "\u001b[2J\u001b[31mEvil\u0007\u202e", calm.packId(), calm.embedding()),
                styles.resolve("zz.style.json"));
        assertEquals(1, tool("style", "list", "--assets", tmp.resolve("assets").toString()), out + "\n" + err);
        String text = out.toString();
        assertTrue(text.contains("calm") && text.contains("Calm"), text);
        assertTrue(text.matches("(?s).*broken +broken: .*broken\\.style\\.json is not valid JSON.*"), text);
        assertTrue(text.matches("(?s).*\nzz +\\\\x1B\\[2J\\\\x1B\\[31mEvil\\\\x07\\\\u202E .*"),
                "listed after the broken one, escaped:\n" + text);
        assertTrue(text.contains("1 of 3 style file(s) are broken"), text);
        assertFalse(text.chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x202e), "no control characters printed");
    }

    /** Issue 15 item 13: a blend weight that is not a finite number in range is a usage error, nothing written. */
    @Test
    void aBlendWeightOutOfRangeIsAUsageError() {
        String calm = Roots.assets().resolve("Styles/calm.style.json") + "=NaN";
        String animated = Roots.assets().resolve("Styles/animated.style.json") + "=1";
        Path target = tmp.resolve("b.style.json");
        assertEquals(2, tool("style", "blend", calm, animated, "--name", "B", "--out", target.toString()),
                err.toString());
        assertTrue(err.toString().startsWith("parley-tool: the weight after '=' in '" + calm
                + "' must be a finite number in [0, 1000] but is 'NaN'"), err.toString());
        assertFalse(Files.exists(target));
    }

    /** Issue 15 item 13: {@code extract} counts the clips it used and names the ones it skipped. */
    @Test
    void extractReportsTheClipsItUsedAndSkipped() throws IOException {
        Path longClip = tmp.resolve("long.npy");
        Files.write(longClip, npy(motion(230), 230, 56));
        Path shortClip = tmp.resolve("short.npy");
        Files.write(shortClip, npy(motion(40), 40, 56));
        Path target = tmp.resolve("mine.style.json");
        assertEquals(0, tool("style", "extract", longClip.toString(), shortClip.toString(), "--name", "Mine", "--out",
                target.toString()), err.toString());
        String text = out.toString();
        assertTrue(text.contains("from 1 of 2 clip(s), 2 window(s)"), text);
        assertTrue(text.contains("  skipped: " + shortClip + ": 40 frames (1.60 s) is too short"), text);
    }

    /**
     * Issue 15 item 11: hostile .npy and .npz files through the command line fail with one clear line
     * (no stack trace, no OutOfMemoryError), naming the file, entry and field.
     */
    @Test
    void extractRefusesHostileArraysWithAClearLine() throws IOException {
        Path huge = tmp.resolve("huge.npy");
        Files.write(huge,
                MotionReaderTest.npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (30000000, 56), }",
                new byte[4096]));
        assertEquals(1, tool("style", "extract", huge.toString(), "--name", "x", "--out",
                tmp.resolve("x.style.json").toString()));
        assertEquals("parley-tool: " + huge
                + ": field 'shape' has 30000000 frames but expected 1 to 90000 (an hour at 25 fps)",
                err.toString().trim());

        Path bomb = tmp.resolve("bomb.npz");
        Files.write(bomb, MotionReaderTest.zipBomb(MotionReader.MAX_FILE_BYTES + (1 << 20)));
        assertEquals(1, tool("style", "extract", bomb.toString(), "--name", "x", "--out",
                tmp.resolve("x.style.json").toString()));
        assertTrue(err.toString().startsWith("parley-tool: " + bomb
                + ":motion.npy: field 'size' inflates past 67108864 bytes"),
                err.toString());
        assertFalse(Files.exists(tmp.resolve("x.style.json")));
    }

    /** Smooth, small, speech-like values: jaw opening and a little of everything. */
    static float[] motion(int frames) {
        float[] m = new float[frames * 56];
        for (int t = 0; t < frames; t++) {
            for (int k = 0; k < 56; k++) {
                m[t * 56 + k] = (float) (0.1 * Math.sin(0.3 * t + k) * (k < 50 ? 1 : 0.5));
            }
        }
        return m;
    }

    /** A float32 little-endian C-order .npy of shape [rows, cols]. */
    static byte[] npy(float[] data, int rows, int cols) {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (float v : data) {
            b.putFloat(v);
        }
        return b.array();
    }
}
