package dev.parley.style;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.asset.AssetInfo;
import com.jme3.asset.AssetLoader;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Validate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads and writes {@code *.style.json}:
 * <pre>
 * {"format":"parley-style","version":1,"displayName":"Calm","pack":"parley-base-v1","dimension":128,
 *  "embedding":[...]}
 * </pre>
 * Validated on load; every error names the file and the field. A file larger than {@link #MAX_BYTES}
 * is refused after reading that many bytes, before any parsing: loading may run on the render thread.
 */
public class StyleLoader implements AssetLoader {

    /** The format tag of style files. */
    public static final String FORMAT = "parley-style";
    /** The version this loader reads and writes. */
    public static final int VERSION = 1;
    /**
     * Largest style file read, in bytes (1 MiB; a 128-value style is about 4 KB, so this allows
     * embeddings of several thousand values).
     */
    public static final int MAX_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public Object load(AssetInfo assetInfo) throws IOException {
        try (InputStream in = assetInfo.openStream()) {
            return read(in, assetInfo.getKey().getName());
        }
    }

    /**
     * @param in the JSON (not null, read to its end or to {@link #MAX_BYTES} + 1 bytes, not closed)
     * @param source the file name for messages (not null)
     * @return a new style (not null)
     * @throws AssetFormatException naming the file and field of any problem, or the limit if the file
     *     is larger than {@link #MAX_BYTES}
     */
    public static Style read(InputStream in, String source) {
        Validate.nonNull(in, "in");
        Validate.nonNull(source, "source");
        byte[] bytes = JsonFields.readAtMost(in, source, MAX_BYTES, "style files (a 128-value style is about 4 KB)");
        JsonNode root = JsonFields.readObject(new ByteArrayInputStream(bytes), source);
        JsonFields f = new JsonFields(source);
        f.formatAndVersion(root, FORMAT, VERSION);
        int dimension = f.integer(root, "dimension", "dimension");
        if (dimension <= 0) {
            throw new AssetFormatException(source, "dimension", "expected a positive dimension but got " + dimension);
        }
        float[] embedding = f.floats(root, "embedding", "embedding", dimension);
        String pack = f.string(root, "pack", "pack");
        if (pack.isEmpty()) {
            throw new AssetFormatException(source, "pack", "must name the model pack");
        }
        return new Style(source, f.string(root, "displayName", "displayName"), pack, embedding);
    }

    /**
     * Writes a style in the format {@link #read} accepts.
     *
     * @param style the style (not null)
     * @param out the destination (not null, not closed)
     * @throws IOException if writing to {@code out} fails
     */
    public static void write(Style style, OutputStream out) throws IOException {
        Validate.nonNull(style, "style");
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT).put("version", VERSION).put("displayName", style.displayName())
                .put("pack", style.packId()).put("dimension", style.dimension());
        var array = root.putArray("embedding");
        for (float v : style.embedding()) {
            array.add(v);
        }
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(new NonClosing(out), root);
    }

    /** Jackson closes streams it writes to; the caller owns this one. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
