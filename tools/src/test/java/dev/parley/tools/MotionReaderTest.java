package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parley.util.AssetFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 11: {@link MotionReader} trusts nothing in a .npy / .npz / .csv file. Each hostile file
 * below once gave an OutOfMemoryError, a 2.8 GB inflate, a raw {@code "-56"} or was silently accepted;
 * now each is one {@link AssetFormatException} naming the file, the entry and the field, with expected
 * and got, before anything of the declared size is allocated.
 */
class MotionReaderTest {

    private static final String F4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }";

    @TempDir
    Path tmp;

    @Test
    void aWellFormedNpyReadsBackExactly() {
        float[] motion = StyleToolsTest.motion(120);
        MotionClip clip = MotionReader.parse(StyleToolsTest.npy(motion, 120, 56), "ok.npy", 56);
        assertEquals(120, clip.frames());
        assertArrayEquals(motion, clip.data());
    }

    @Test
    void hostileNpyHeadersAreRefusedBeforeAllocating() {
        byte[] small = new byte[4 * 56];
        rejects("huge.npy", npyWithHeader(F4.formatted("30000000, 56"), small),
                "huge.npy: field 'shape' has 30000000 frames but expected 1 to 90000 (an hour at 25 fps)");
        rejects("overflow.npy", npyWithHeader(F4.formatted("99999999999, 56"), small),
                "overflow.npy: field 'shape' has 99999999999 frames but expected 1 to 90000");
        rejects("wide.npy", npyWithHeader(F4.formatted("1, 2000000000"), small),
                "wide.npy: field 'shape' motion has shape [1, 2000000000] but the pack expects [T, 56]");
        rejects("neg.npy", npyWithHeader(F4.formatted("-5, 56"), small),
                "neg.npy: field 'shape' expected non-negative integers but got (-5, 56)");
        rejects("rank3.npy", npyWithHeader(F4.formatted("2, 56, 3"), small),
                "rank3.npy: field 'shape' expected [T, 56] but got rank 3 (2, 56, 3)");
        rejects("empty.npy", npyWithHeader(F4.formatted("0, 56"), new byte[0]),
                "empty.npy: field 'shape' has 0 frames but expected 1 to 90000");
        rejects("cut.npy", npyWithHeader(F4.formatted("100, 56"), new byte[4 * 56 * 99]),
                "cut.npy: field 'data' expected 22400 bytes for shape [100, 56] of <f4 but got 22176 (truncated)");
        rejects("long.npy", npyWithHeader(F4.formatted("1, 56"), new byte[4 * 56 + 3]),
                "long.npy: field 'data' expected 224 bytes for shape [1, 56] of <f4 but got 227");
        rejects("int.npy", npyWithHeader("{'descr': '<i2', 'fortran_order': False, 'shape': (1, 56), }", small),
                "int.npy: field 'descr' expected '<f4' or '<f8' (little-endian float32 or float64) but got '<i2'");
        rejects("fortran.npy", npyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 56), }", small),
                "fortran.npy: field 'fortran_order' expected False");
        rejects("noshape.npy", npyWithHeader("{'descr': '<f4', 'fortran_order': False, }", small),
                "noshape.npy: field 'shape' is missing from the header");
        rejects("escape.npy", npyWithHeader("\u001b[2J", small),
                "escape.npy: field 'header' expected a Python dict {...} but got '\\x1B[2J'");

        byte[] magic = StyleToolsTest.npy(new float[56], 1, 56);
        magic[1] = 'X';
        rejects("magic.npy", magic,
                "magic.npy: field 'magic' expected \\x93NUMPY (a NumPy .npy array) but got '\\x93XUMPY'");
        rejects("tiny.npy", new byte[3],
                "tiny.npy: field 'magic' expected \\x93NUMPY (a NumPy .npy array) but got 3 bytes");
        byte[] version = StyleToolsTest.npy(new float[56], 1, 56);
        version[6] = 9;
        rejects("version.npy", version, "version.npy: field 'version' expected 1.0, 2.0 or 3.0 but got 9.0");

        // A version 2 header length of 0xFFFFFFC8 once read as -56.
        byte[] v2 = new byte[64];
        ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 2).put((byte) 0).putInt(-56);
        rejects("minus56.npy", v2,
                "minus56.npy: field 'header length' is 4294967240 but expected at most 52 (the limit is 10000");
        byte[] v1 = StyleToolsTest.npy(new float[56], 1, 56);
        v1[8] = (byte) 0xff;
        v1[9] = (byte) 0xff;
        rejects("past.npy", v1,
                "past.npy: field 'header length' is 65535 but expected at most 342 (the limit is 10000");
    }

    @Test
    void nonFiniteValuesNameTheirFrameAndColumn() {
        float[] motion = new float[2 * 56];
        motion[56 + 7] = Float.NaN;
        rejects("nan.npy", StyleToolsTest.npy(motion, 2, 56),
                "nan.npy: field 'data' value NaN at frame 1, column 7 is not finite");
    }

    @Test
    void hostileArchivesAreBoundedWhileStreaming() throws IOException {
        // 65 MiB of zeros after a valid header: 65 KB on disk, refused once 64 MiB have been inflated.
        rejects("bomb.npz", zipBomb(MotionReader.MAX_FILE_BYTES + (1 << 20)),
                "bomb.npz:motion.npy: field 'size' inflates past 67108864 bytes, the limit");

        // An entry before the motion that inflates past the archive's limit.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("audio.npy"));
            zeros(zip, MotionReader.MAX_NPZ_BYTES + 1);
            zip.putNextEntry(new ZipEntry("motion.npy"));
            zip.write(StyleToolsTest.npy(StyleToolsTest.motion(120), 120, 56));
        }
        rejects("audio-bomb.npz", bytes.toByteArray(),
                "audio-bomb.npz:audio.npy: field 'size' inflates past 268435456 bytes");

        // A stored entry whose local header declares 100 MiB: refused before reading it.
        rejects("declared.npz", storedEntryDeclaring("motion.npy", 100L << 20, new byte[16]),
                "declared.npz:motion.npy: field 'size' declares 104857600 uncompressed bytes but at most 67108864");

        // A deflated entry whose local header understates what it inflates to.
        rejects("liar.npz", deflatedEntryDeclaring("motion.npy", 100, StyleToolsTest.npy(StyleToolsTest.motion(120),
                120, 56)),
                "liar.npz:motion.npy: field 'size' declares 100 uncompressed bytes but inflates past that");

        ByteArrayOutputStream many = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(many)) {
            for (int i = 0; i <= MotionReader.MAX_NPZ_ENTRIES; i++) {
                zip.putNextEntry(new ZipEntry("e" + i + ".npy"));
            }
        }
        rejects("many.npz", many.toByteArray(), "many.npz has more than 64 entries before 'motion.npy'");

        ByteArrayOutputStream none = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(none)) {
            zip.putNextEntry(new ZipEntry("audio\u001b[2J.npy"));
        }
        rejects("none.npz", none.toByteArray(),
                "none.npz: field 'motion.npy' is missing: the archive has [audio\\x1B[2J.npy]");
        rejects("junk.npz", "PK\u0003\u0004junk".getBytes(StandardCharsets.ISO_8859_1),
                "junk.npz is not a readable NumPy .npz archive");
    }

    @Test
    void csvRowsAreCheckedAsTheyAreRead() {
        rejects("wide.csv", ("0" + ",0".repeat(99)).getBytes(StandardCharsets.US_ASCII),
                "wide.csv: field 'line 1' motion has shape [T, 100] but the pack expects [T, 56]");
        String row = "0" + ",0".repeat(55) + "\n";
        rejects("words.csv", ("h" + ",h".repeat(55) + "\n" + row + "x" + ",1".repeat(55)
                + "\n").getBytes(StandardCharsets.US_ASCII),
                "words.csv: field 'line 3' expected numbers but got 'x,1,1");
        rejects("blank.csv", "\n\n# nothing\n".getBytes(StandardCharsets.US_ASCII), "blank.csv has no motion rows");
        rejects("frames.csv", row.repeat(MotionReader.MAX_FRAMES + 1).getBytes(StandardCharsets.US_ASCII),
                "frames.csv: field 'shape' has 90001 frames but expected 1 to 90000");
    }

    @Test
    void filesOverTheSizeLimitAreNotRead() throws IOException {
        Path big = tmp.resolve("big.npy");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(MotionReader.MAX_FILE_BYTES + 1); // sparse: no disk used
        }
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> MotionReader.read(big, 56));
        assertEquals(big + " is 67108865 bytes but motion files are limited to 67108864 bytes (64 MiB)",
                e.getMessage());
        e = assertThrows(AssetFormatException.class, () -> MotionReader.read(tmp.resolve("absent.npy"), 56));
        assertEquals(tmp.resolve("absent.npy") + " does not exist (or is not a file)", e.getMessage());
    }

    private static void rejects(String name, byte[] bytes, String expectedStart) {
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> MotionReader.parse(bytes, name, 56),
                name);
        if (!e.getMessage().startsWith(expectedStart)) {
            throw new AssertionError(name + ": expected a message starting\n  " + expectedStart + "\nbut got\n  "
                    + e.getMessage());
        }
    }

    /** A version 1 .npy with any header text (padded as NumPy pads it) and any data bytes. */
    static byte[] npyWithHeader(String header, byte[] data) {
        int pad = (64 - (10 + header.length() + 1) % 64) % 64;
        byte[] h = (header + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length).put(h).put(data);
        return b.array();
    }

    /** An .npz whose motion.npy is a valid [100, 56] header followed by {@code inflated} bytes of zeros. */
    static byte[] zipBomb(long inflated) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("motion.npy"));
            zip.write(npyWithHeader(F4.formatted("100, 56"), new byte[0]));
            zeros(zip, inflated);
        }
        return bytes.toByteArray();
    }

    private static void zeros(OutputStream out, long count) throws IOException {
        byte[] block = new byte[1 << 20];
        for (long left = count; left > 0; left -= block.length) {
            out.write(block, 0, (int) Math.min(block.length, left));
        }
    }

    /** One local file header, STORED, declaring {@code declared} bytes, followed by {@code data}. */
    private static byte[] storedEntryDeclaring(String name, long declared, byte[] data) {
        return localEntry(name, 0, declared, declared, 0, data);
    }

    /** One local file header, DEFLATED, declaring {@code declared} uncompressed bytes, with the real deflate stream. */
    private static byte[] deflatedEntryDeclaring(String name, long declared, byte[] content) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(content);
        d.finish();
        byte[] buffer = new byte[content.length + 1024];
        int n = d.deflate(buffer);
        d.end();
        CRC32 crc = new CRC32();
        crc.update(content);
        byte[] deflated = java.util.Arrays.copyOf(buffer, n);
        return localEntry(name, 8, n, declared, crc.getValue(), deflated);
    }

    private static byte[] localEntry(String name, int method, long compressed, long size, long crc, byte[] data) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(30 + n.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) method).putShort((short) 0)
                .putShort((short) 0x21).putInt((int) crc).putInt((int) compressed).putInt((int) size)
                .putShort((short) n.length).putShort((short) 0).put(n).put(data);
        return b.array();
    }
}
