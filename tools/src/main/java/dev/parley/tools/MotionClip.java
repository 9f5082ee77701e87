package dev.parley.tools;

import dev.parley.util.Validate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A reference motion clip for style extraction: {@code frames} motion vectors of {@code dim} values at
 * 25 fps (for the Parley head: expression 50 | jaw axis-angle 3 | neck axis-angle 3, de-normalised,
 * as the corpus stores them). Read from:
 * <ul>
 * <li>{@code .npz}: a corpus clip ({@code /work/corpus/full/clips/*.npz}) or any NumPy archive with a
 *     {@code motion} array [T, 56];</li>
 * <li>{@code .npy}: one array [T, 56], float32 or float64, little-endian, C order;</li>
 * <li>{@code .csv}: T lines of 56 comma-separated numbers; a first line that is not numbers is a header.</li>
 * </ul>
 *
 * @param source the file, for messages (not null)
 * @param frames T (&gt;0)
 * @param dim values per frame (&gt;0)
 * @param data frame-major [T * dim] (not null; owned by this record, do not modify)
 */
public record MotionClip(String source, int frames, int dim, float[] data) {

    /** Frames per second every format is read at. */
    public static final int FPS = 25;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Checks the values. */
    public MotionClip {
        Validate.nonNull(source, "source");
        Validate.nonNull(data, "data");
        if (frames <= 0 || dim <= 0 || data.length != frames * dim) {
            throw new IllegalArgumentException(source + ": " + data.length + " values do not make " + frames + " frames of " + dim);
        }
    }

    /**
     * Reads a clip by its extension and checks its width.
     *
     * @param file a .npz, .npy or .csv file (not null)
     * @param expectedDim the values per frame the pack expects (e.g. 56)
     * @return the clip (not null)
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and the problem: unknown extension, no motion
     *     array, wrong rank or width, unsupported dtype, non-finite values
     */
    public static MotionClip read(Path file, int expectedDim) throws IOException {
        Validate.nonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        MotionClip clip;
        if (name.endsWith(".npz")) {
            clip = readNpz(file);
        } else if (name.endsWith(".npy")) {
            clip = readNpy(Files.readAllBytes(file), file.toString());
        } else if (name.endsWith(".csv")) {
            clip = readCsv(file);
        } else {
            throw new IllegalArgumentException(file + ": unknown motion format; use a corpus clip .npz, an .npy [T, "
                    + expectedDim + "] or a .csv of " + expectedDim + " columns (25 fps)");
        }
        if (clip.dim != expectedDim) {
            throw new IllegalArgumentException(file + ": motion has shape [" + clip.frames + ", " + clip.dim + "] but the pack expects ["
                    + "T, " + expectedDim + "] (expression 50 | jaw 3 | head 3 at 25 fps)");
        }
        for (int i = 0; i < clip.data.length; i++) {
            if (!Float.isFinite(clip.data[i])) {
                throw new IllegalArgumentException(file + ": motion value " + clip.data[i] + " at frame " + i / clip.dim + ", column "
                        + i % clip.dim + " is not finite");
            }
        }
        return clip;
    }

    /**
     * @param first the first frame (&ge;0)
     * @param count frames (&gt;0, first + count &le; frames)
     * @return those frames, frame-major (a new array)
     */
    public float[] slice(int first, int count) {
        float[] out = new float[count * dim];
        System.arraycopy(data, first * dim, out, 0, out.length);
        return out;
    }

    private static MotionClip readNpz(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
                names.add(e.getName());
                if (e.getName().equals("motion.npy")) {
                    return readNpy(zip.readAllBytes(), file + ":motion");
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IllegalArgumentException(file + ": not a NumPy .npz archive (" + e.getMessage() + ")");
        }
        throw new IllegalArgumentException(file + ": the archive has no 'motion' array (it has " + names + ")");
    }

    /**
     * Reads a NumPy .npy array of rank 2.
     *
     * @param bytes the file's bytes (not null, unaffected)
     * @param source for messages (not null)
     * @return the clip (not null)
     */
    static MotionClip readNpy(byte[] bytes, String source) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93 || !new String(bytes, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IllegalArgumentException(source + ": not a NumPy .npy array (bad magic)");
        }
        int major = bytes[6];
        int headerLength;
        int start;
        if (major == 1) {
            headerLength = b.getShort(8) & 0xffff;
            start = 10;
        } else {
            headerLength = b.getInt(8);
            start = 12;
        }
        String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException(source + ": unreadable .npy header " + header.trim());
        }
        String descr = d.group(1);
        if (f.group(1).equals("True")) {
            throw new IllegalArgumentException(source + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
        }
        List<Integer> shape = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                shape.add(Integer.parseInt(part.trim()));
            }
        }
        if (shape.size() != 2) {
            throw new IllegalArgumentException(source + ": motion must have shape [T, 56] but has shape " + shape);
        }
        int frames = shape.get(0);
        int dim = shape.get(1);
        if (frames == 0) {
            throw new IllegalArgumentException(source + ": motion has no frames (shape " + shape + ")");
        }
        int n = frames * dim;
        float[] out = new float[n];
        int at = start + headerLength;
        switch (descr) {
            case "<f4" -> {
                check(bytes, at, n * 4L, source);
                b.position(at);
                b.asFloatBuffer().get(out);
            }
            case "<f8" -> {
                check(bytes, at, n * 8L, source);
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(at + 8 * i);
                }
            }
            default -> throw new IllegalArgumentException(source + ": dtype '" + descr + "' is not supported; use float32 or float64 (little-endian)");
        }
        return new MotionClip(source, frames, dim, out);
    }

    private static void check(byte[] bytes, int at, long needed, String source) {
        if (at + needed > bytes.length) {
            throw new IllegalArgumentException(source + ": the .npy file is truncated");
        }
    }

    private static MotionClip readCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<float[]> rows = new ArrayList<>();
        int dim = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\\s*,\\s*");
            float[] row = new float[cells.length];
            try {
                for (int k = 0; k < cells.length; k++) {
                    row[k] = Float.parseFloat(cells[k]);
                }
            } catch (NumberFormatException e) {
                if (rows.isEmpty() && dim < 0) {
                    dim = 0; // a header line
                    continue;
                }
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " is not numbers: " + e.getMessage());
            }
            if (!rows.isEmpty() && row.length != rows.get(0).length) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " has " + row.length + " columns but the first row has "
                        + rows.get(0).length);
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": no motion rows");
        }
        int width = rows.get(0).length;
        float[] data = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, data, r * width, width);
        }
        return new MotionClip(file.toString(), rows.size(), width, data);
    }
}
