package dev.parley.tools;

import dev.parley.util.AssetFormatException;
import dev.parley.util.Validate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads reference motion files into {@link MotionClip}s, trusting nothing in them: every size a
 * header declares is checked against the bytes really there and against the limits below before
 * anything is allocated. Formats:
 * <ul>
 * <li>{@code .npz}: a NumPy archive with a {@code motion.npy} entry (a corpus clip);</li>
 * <li>{@code .npy}: one array [T, dim], {@code <f4} or {@code <f8}, C order, format version 1, 2 or 3;</li>
 * <li>{@code .csv}: T lines of dim comma-separated numbers; a first line that is not numbers is a header.</li>
 * </ul>
 * Every problem with a file's content or size is one exception type, {@link AssetFormatException},
 * whose message names the file (and the archive entry), the field, what was expected and what was
 * found. {@link #parse} is a pure function of its bytes (fuzzed by the tools' tests).
 */
public final class MotionReader {

    /** Largest motion file read, in bytes (64 MiB: an hour of [T, 56] float64 is 40.3 MB). */
    public static final long MAX_FILE_BYTES = 64L << 20;
    /** Most frames a clip may have: one hour at 25 fps. */
    public static final int MAX_FRAMES = 90_000;
    /** Largest .npy header, in bytes (NumPy's own {@code np.load} refuses longer ones by default). */
    public static final int MAX_NPY_HEADER = 10_000;
    /** Most entries read from an .npz before its motion array. */
    public static final int MAX_NPZ_ENTRIES = 64;
    /** Most uncompressed bytes read from one .npz, all entries together (256 MiB). */
    public static final long MAX_NPZ_BYTES = 256L << 20;
    /** The .npz entry holding the motion. */
    public static final String NPZ_MOTION = "motion.npy";

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(\\w+)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DIMENSION = Pattern.compile("\\s*(\\d{1,18})\\s*");
    private static final int SKIP_BUFFER = 64 << 10;
    private static final String LAYOUT = " (expression 50 | jaw 3 | head 3 at 25 fps)";

    private MotionReader() {
    }

    /**
     * Reads a clip by its extension, after checking the file's size.
     *
     * @param file a .npz, .npy or .csv file (not null)
     * @param expectedDim the values per frame the pack expects (&gt;0, e.g. 56)
     * @return the clip (not null; finite values, 1 to {@link #MAX_FRAMES} frames of expectedDim)
     * @throws AssetFormatException naming the file, the field, expected and got: missing file, too
     *     large, unknown extension, or anything {@link #parse} rejects
     * @throws IOException only if the file system fails to read an existing file
     */
    public static MotionClip read(Path file, int expectedDim) throws IOException {
        Validate.nonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new AssetFormatException(file.toString(), "", "does not exist (or is not a file)");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new AssetFormatException(file.toString(), "", "is " + size + " bytes but motion files are limited to "
                    + MAX_FILE_BYTES + " bytes (" + (MAX_FILE_BYTES >> 20) + " MiB)");
        }
        return parse(Files.readAllBytes(file), file.toString(), expectedDim);
    }

    /**
     * Parses a motion file's bytes by the extension of its name. Pure: no file system access.
     *
     * @param bytes the file's content (not null, unaffected, at most {@link #MAX_FILE_BYTES})
     * @param name the file's name or path, for its extension and for messages (not null)
     * @param expectedDim the values per frame the pack expects (&gt;0)
     * @return the clip (not null; finite values, 1 to {@link #MAX_FRAMES} frames of expectedDim)
     * @throws AssetFormatException for every problem with the content, naming name, entry and field
     */
    public static MotionClip parse(byte[] bytes, String name, int expectedDim) {
        Validate.nonNull(bytes, "bytes");
        Validate.nonNull(name, "name");
        Validate.inRange(expectedDim, 1, 1 << 16, "expectedDim");
        if (bytes.length > MAX_FILE_BYTES) {
            throw new AssetFormatException(name, "", "is " + bytes.length + " bytes but motion files are limited to "
                    + MAX_FILE_BYTES + " bytes");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        MotionClip clip;
        if (lower.endsWith(".npz")) {
            clip = parseNpz(bytes, name, expectedDim);
        } else if (lower.endsWith(".npy")) {
            clip = parseNpy(bytes, name, expectedDim);
        } else if (lower.endsWith(".csv")) {
            clip = parseCsv(bytes, name, expectedDim);
        } else {
            throw new AssetFormatException(name, "", "has an unknown motion format; use a corpus clip .npz, "
                    + "an .npy [T, " + expectedDim + "] or a .csv of " + expectedDim + " columns (25 fps)");
        }
        float[] data = clip.data();
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                throw new AssetFormatException(clip.source(), "data", "value " + data[i] + " at frame " + i / clip.dim()
                        + ", column " + i % clip.dim() + " is not finite");
            }
        }
        return clip;
    }

    // ---- .npz ----

    private static MotionClip parseNpz(byte[] bytes, String name, int expectedDim) {
        List<String> names = new ArrayList<>();
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
                String entry = e.getName();
                if (names.size() >= MAX_NPZ_ENTRIES) {
                    throw new AssetFormatException(name, "", "has more than " + MAX_NPZ_ENTRIES + " entries before '"
                            + NPZ_MOTION + "' (got " + names + ")");
                }
                names.add(printable(entry));
                boolean motion = entry.equals(NPZ_MOTION);
                long budget = motion ? Math.min(MAX_FILE_BYTES, MAX_NPZ_BYTES - total) : MAX_NPZ_BYTES - total;
                String where = name + ":" + printable(entry);
                if (e.getSize() > budget) {
                    throw new AssetFormatException(where, "size", "declares " + e.getSize()
                            + " uncompressed bytes but at most " + budget + " are read (limits: " + MAX_FILE_BYTES
                            + " for " + NPZ_MOTION + ", " + MAX_NPZ_BYTES + " for the whole archive)");
                }
                ByteArrayOutputStream kept = motion ? new ByteArrayOutputStream() : null;
                long read = drain(zip, kept, budget, where, e.getSize());
                total += read;
                if (motion) {
                    return parseNpy(kept.toByteArray(), where, expectedDim);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // ZipInputStream throws IllegalArgumentException for an entry name that is not valid UTF-8 (fuzz finding).
            throw new AssetFormatException(name, "", "is not a readable NumPy .npz archive (" + e.getMessage()
                    + ")", e);
        }
        if (names.isEmpty()) {
            throw new AssetFormatException(name, "", "is not a readable NumPy .npz archive (no zip entries found)");
        }
        throw new AssetFormatException(name, NPZ_MOTION, "is missing: the archive has " + names);
    }

    /**
     * Reads one entry to its end, keeping it or not, never past what it declares nor past budget.
     *
     * @return the bytes read
     */
    private static long drain(InputStream in, ByteArrayOutputStream keep, long budget, String where, long declared)
            throws IOException {
        long limit = declared >= 0 ? Math.min(declared, budget) : budget;
        byte[] buffer = new byte[SKIP_BUFFER];
        long count = 0;
        for (int n; (n = in.read(buffer)) > 0;) {
            count += n;
            if (count > limit) {
                throw new AssetFormatException(where, "size", limit == declared
                        ? "declares " + declared + " uncompressed bytes but inflates past that"
                        : "inflates past " + budget + " bytes, the limit (" + MAX_FILE_BYTES + " for " + NPZ_MOTION
                                + ", " + MAX_NPZ_BYTES + " for the whole archive)");
            }
            if (keep != null) {
                keep.write(buffer, 0, n);
            }
        }
        if (declared >= 0 && count != declared) {
            throw new AssetFormatException(where, "size", "declares " + declared + " uncompressed bytes but holds "
                    + count);
        }
        return count;
    }

    // ---- .npy ----

    /**
     * Parses a NumPy .npy array of shape [T, expectedDim].
     *
     * @param bytes the file's bytes (not null, unaffected)
     * @param source the file (and entry), for messages (not null)
     * @param expectedDim the values per frame (&gt;0)
     * @return the clip (not null; values not yet checked to be finite)
     */
    static MotionClip parseNpy(byte[] bytes, String source, int expectedDim) {
        if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93
                || !new String(bytes, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
            throw new AssetFormatException(source, "magic", "expected \\x93NUMPY (a NumPy .npy array) but got "
                    + (bytes.length < 6 ? bytes.length + " bytes" : "'" + printable(bytes, 0, 6) + "'"));
        }
        int major = bytes[6] & 0xff;
        int minor = bytes[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new AssetFormatException(source, "version",
                    "expected 1.0, 2.0 or 3.0 but got " + major + "." + minor);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int start = major == 1 ? 10 : 12;
        if (bytes.length < start) {
            throw new AssetFormatException(source, "header length",
                    "expected " + start + " bytes of preamble but the file has " + bytes.length);
        }
        long headerLength = major == 1 ? b.getShort(8) & 0xffff : b.getInt(8) & 0xffffffffL;
        if (headerLength > MAX_NPY_HEADER || headerLength > bytes.length - start) {
            throw new AssetFormatException(source, "header length", "is " + headerLength + " but expected at most "
                    + Math.min(MAX_NPY_HEADER, bytes.length - start) + " (the limit is " + MAX_NPY_HEADER
                    + " bytes; the file has " + (bytes.length - start) + " after the preamble)");
        }
        String header = new String(bytes, start, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw new AssetFormatException(source, "header", "expected a Python dict {...} but got '"
                    + printable(header) + "'");
        }
        String descr = field(DESCR, header, "descr", source);
        String fortran = field(FORTRAN, header, "fortran_order", source);
        String shapeText = field(SHAPE, header, "shape", source);
        int itemSize = switch (descr) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            default -> throw new AssetFormatException(source, "descr", "expected '<f4' or '<f8' "
                    + "(little-endian float32 or float64) but got '" + printable(descr) + "'");
        };
        if (!fortran.equals("False")) {
            throw new AssetFormatException(source, "fortran_order",
                    "expected False (C order; save with np.ascontiguousarray) but got " + printable(fortran));
        }
        long[] shape = shape(shapeText, source);
        if (shape.length != 2) {
            throw new AssetFormatException(source, "shape", "expected [T, " + expectedDim + "] but got rank "
                    + shape.length + " (" + printable(shapeText) + ")");
        }
        checkShape(source, shape[0], shape[1], expectedDim);
        int frames = (int) shape[0];
        long expected = shape[0] * shape[1] * itemSize;
        long got = bytes.length - start - headerLength;
        if (got != expected) {
            throw new AssetFormatException(source, "data", "expected " + expected + " bytes for shape [" + frames + ", "
                    + expectedDim + "] of " + descr + " but got " + got + (got < expected ? " (truncated)" : ""));
        }
        int at = (int) (start + headerLength);
        float[] out = new float[frames * expectedDim];
        if (itemSize == 4) {
            b.position(at);
            b.asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) b.getDouble(at + 8 * i);
            }
        }
        return new MotionClip(source, frames, expectedDim, out);
    }

    private static String field(Pattern p, String header, String name, String source) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new AssetFormatException(source, name, "is missing from the header '" + printable(header) + "'");
        }
        return m.group(1);
    }

    private static long[] shape(String text, String source) {
        String[] parts = text.split(",", -1);
        int n = parts.length;
        if (n > 0 && parts[n - 1].isBlank()) {
            n--; // the trailing comma of a Python tuple
        }
        if (n > 8) {
            throw new AssetFormatException(source, "shape", "expected [T, dim] but got rank " + n);
        }
        long[] shape = new long[n];
        for (int i = 0; i < n; i++) {
            Matcher m = DIMENSION.matcher(parts[i]);
            if (!m.matches()) {
                throw new AssetFormatException(source, "shape", "expected non-negative integers but got ("
                        + printable(text) + ")");
            }
            shape[i] = Long.parseLong(m.group(1));
        }
        return shape;
    }

    /** The limits every format shares, checked before the data is allocated. */
    private static void checkShape(String source, long frames, long dim, int expectedDim) {
        if (dim != expectedDim) {
            throw new AssetFormatException(source, "shape", "motion has shape [" + frames + ", " + dim
                    + "] but the pack expects [T, " + expectedDim + "]" + LAYOUT);
        }
        if (frames < 1 || frames > MAX_FRAMES) {
            throw new AssetFormatException(source, "shape", "has " + frames + " frames but expected 1 to " + MAX_FRAMES
                    + " (an hour at " + MotionClip.FPS + " fps)");
        }
    }

    // ---- .csv ----

    private static MotionClip parseCsv(byte[] bytes, String source, int expectedDim) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        float[] data = new float[0];
        int rows = 0;
        boolean headerSeen = false;
        int lineNumber = 0;
        for (int from = 0; from < text.length();) {
            int end = text.indexOf('\n', from);
            end = end < 0 ? text.length() : end;
            String line = text.substring(from, end).trim();
            from = end + 1;
            lineNumber++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int columns = 1 + (int) line.chars().filter(c -> c == ',').count();
            String[] cells = line.split("\\s*,\\s*", Math.min(columns, expectedDim + 1));
            if (columns != expectedDim) {
                if (rows == 0 && !headerSeen && !number(cells[0])) {
                    headerSeen = true; // a header line
                    continue;
                }
                throw new AssetFormatException(source, "line " + lineNumber, "motion has shape [T, " + columns
                        + "] but the pack expects [T, " + expectedDim + "]" + LAYOUT);
            }
            float[] row = new float[columns];
            try {
                for (int k = 0; k < columns; k++) {
                    row[k] = Float.parseFloat(cells[k]);
                }
            } catch (NumberFormatException e) {
                if (rows == 0 && !headerSeen) {
                    headerSeen = true; // a header line
                    continue;
                }
                throw new AssetFormatException(source, "line " + lineNumber, "expected numbers but got '"
                        + printable(line) + "'");
            }
            checkShape(source, rows + 1L, columns, expectedDim);
            if (data.length < (rows + 1) * expectedDim) {
                data = Arrays.copyOf(data, Math.max(2 * data.length, 64 * expectedDim));
            }
            System.arraycopy(row, 0, data, rows * expectedDim, expectedDim);
            rows++;
        }
        if (rows == 0) {
            throw new AssetFormatException(source, "", "has no motion rows");
        }
        return new MotionClip(source, rows, expectedDim, Arrays.copyOf(data, rows * expectedDim));
    }

    private static boolean number(String cell) {
        try {
            Float.parseFloat(cell);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // ---- messages ----

    /**
     * @param s text from a file (not null)
     * @return s with control characters shown as {@code \xNN}, at most 200 characters (not null)
     */
    static String printable(String s) {
        String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return Printable.line(cut);
    }

    private static String printable(byte[] bytes, int from, int count) {
        return printable(new String(bytes, from, count, StandardCharsets.ISO_8859_1));
    }
}
