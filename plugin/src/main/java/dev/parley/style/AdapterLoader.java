package dev.parley.style;

import com.fasterxml.jackson.databind.JsonNode;
import com.jme3.asset.AssetInfo;
import com.jme3.asset.AssetLoader;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Sha256;
import dev.parley.util.Validate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code *.adapter} files (docs/adapters.md): {@code PARLEYAD}, a uint32 little-endian header length,
 * the UTF-8 JSON header, then the factors as float32 little-endian. Validated on load; every error names the
 * file and the field, e.g. {@code npc.adapter: field 'factor data' expected 1634304 bytes but got 1634204
 * (truncated file)}. Whether the adapter fits a pack is {@link Adapter#checkPack}'s question.
 */
public class AdapterLoader implements AssetLoader {

    /** The format tag of adapter files. */
    public static final String FORMAT = "parley-adapter";
    /** The version this loader reads. */
    public static final int VERSION = 1;
    /** Largest adapter file read, in bytes (the base pack's ranks 2+8+32 take 1.6 MB). */
    public static final int MAX_BYTES = 64 << 20;

    private static final byte[] MAGIC = "PARLEYAD".getBytes(StandardCharsets.US_ASCII);

    @Override
    public Object load(AssetInfo assetInfo) throws IOException {
        try (InputStream in = assetInfo.openStream()) {
            return read(in, assetInfo.getKey().getName());
        }
    }

    /**
     * @param in the file's bytes (not null, read to its end or to {@link #MAX_BYTES} + 1 bytes, not closed)
     * @param source the file name for messages (not null)
     * @return a new adapter (not null)
     * @throws AssetFormatException naming the file and field of any problem
     */
    public static Adapter read(InputStream in, String source) {
        Validate.nonNull(in, "in");
        Validate.nonNull(source, "source");
        byte[] bytes = JsonFields.readAtMost(in, source, MAX_BYTES, "adapter files (ranks 2+8+32 take 1.6 MB)");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= bytes.length || bytes[i] != MAGIC[i]) {
                throw new AssetFormatException(source, "magic", "expected 'PARLEYAD' at byte 0: not an adapter file");
            }
        }
        if (bytes.length < MAGIC.length + 4) {
            throw new AssetFormatException(source, "header length", "expected 4 bytes but got "
                    + (bytes.length - MAGIC.length) + " (truncated file)");
        }
        long headerLength = Integer.toUnsignedLong(buf.getInt(MAGIC.length));
        int start = MAGIC.length + 4;
        if (start + headerLength > bytes.length) {
            throw new AssetFormatException(source, "header", "expected " + headerLength + " bytes but got "
                    + (bytes.length - start) + " (truncated file)");
        }
        int n = (int) headerLength;
        JsonNode root = JsonFields.readObject(new ByteArrayInputStream(bytes, start, n), source);
        JsonFields f = new JsonFields(source);
        f.formatAndVersion(root, FORMAT, VERSION);
        JsonNode pack = f.require(root, "pack", "pack");
        JsonNode rankNode = f.array(root, "ranks", "ranks", -1);
        if (rankNode.isEmpty()) {
            throw new AssetFormatException(source, "ranks", "expected at least one rank but got none");
        }
        int[] ranks = new int[rankNode.size()];
        int total = 0;
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = intAt(source, rankNode, i, "ranks[" + i + "]");
            if (ranks[i] < 1) {
                throw new AssetFormatException(source, "ranks[" + i + "]", "expected a positive rank but got "
                        + ranks[i]);
            }
            total += ranks[i];
        }
        int rowWidth = f.integer(root, "rowWidth", "rowWidth");
        if (rowWidth < 1) {
            throw new AssetFormatException(source, "rowWidth", "expected a positive width but got " + rowWidth);
        }
        List<Adapter.Target> targets = targets(f, root, rowWidth);
        JsonNode factorNode = f.require(root, "factors", "factors");
        JsonNode shape = f.array(factorNode, "shape", "factors.shape", 2);
        String dtype = f.string(factorNode, "dtype", "factors.dtype");
        int rows = intAt(source, shape, 0, "factors.shape[0]");
        int cols = intAt(source, shape, 1, "factors.shape[1]");
        if (!"float32".equals(dtype) || rows != total || cols != rowWidth) {
            throw new AssetFormatException(source, "factors", "expected float32 [" + total + ", " + rowWidth
                    + "] (the sum of the ranks by rowWidth) but got " + dtype + " [" + rows + ", " + cols + "]");
        }
        long want = 4L * total * rowWidth;
        int body = bytes.length - start - n;
        if (body != want) {
            throw new AssetFormatException(source, "factor data", "expected " + want + " bytes but got " + body
                    + (body < want ? " (truncated file)" : ""));
        }
        float[] factors = new float[total * rowWidth];
        buf.position(start + n);
        buf.asFloatBuffer().get(factors);
        int bad = 0;
        for (float v : factors) {
            if (!Float.isFinite(v)) {
                bad++;
            }
        }
        if (bad > 0) {
            throw new AssetFormatException(source, "factor data", "expected finite values but got " + bad
                    + " NaN or infinite");
        }
        if (factorNode.has("sha256")) {
            String got = Sha256.hex(bytes, start + n, body);
            String expected = f.string(factorNode, "sha256", "factors.sha256");
            if (!expected.equals(got)) {
                throw new AssetFormatException(source, "factors.sha256", "expected " + expected
                        + " but got the data's own hash " + got + " (the file was altered)");
            }
        }
        float[] style = root.has("style") ? f.floats(root, "style", "style", -1) : null;
        return new Adapter(source, f.string(pack, "id", "pack.id"), f.string(pack, "packVersion", "pack.packVersion"),
                f.string(pack, "denoiserSha256", "pack.denoiserSha256"), ranks, rowWidth, targets, factors, style);
    }

    /** The targets must tile a factor row: each starts where the previous ends, the last ends at rowWidth. */
    private static List<Adapter.Target> targets(JsonFields f, JsonNode root, int rowWidth) {
        JsonNode targets = f.array(root, "targets", "targets", -1);
        List<Adapter.Target> out = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < targets.size(); i++) {
            String path = "targets[" + i + "]";
            JsonNode t = targets.get(i);
            int at = f.integer(t, "offset", path + ".offset");
            if (at != offset) {
                throw new AssetFormatException(f.source(), path + ".offset", "expected " + offset + " but got " + at);
            }
            int in = f.integer(t, "in", path + ".in");
            int outWidth = f.integer(t, "out", path + ".out");
            if (in < 1 || outWidth < 1) {
                throw new AssetFormatException(f.source(), path, "expected positive widths but got in " + in
                        + ", out " + outWidth);
            }
            out.add(new Adapter.Target(f.string(t, "name", path + ".name"), in, outWidth, at));
            offset += in + outWidth;
        }
        if (offset != rowWidth) {
            throw new AssetFormatException(f.source(), "targets", "expected layers filling rowWidth " + rowWidth
                    + " but they end at " + offset);
        }
        return out;
    }

    private static int intAt(String source, JsonNode array, int index, String path) {
        JsonNode v = array.get(index);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new AssetFormatException(source, path, "expected an integer but got " + v);
        }
        return v.intValue();
    }
}
