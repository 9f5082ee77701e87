package dev.parley.util;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * Reads required fields out of a Jackson tree and turns every mismatch into an
 * {@link AssetFormatException} naming the source, the field path, expected and got.
 * Shared by the head spec, style and model pack readers.
 */
public final class JsonFields {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper NON_FINITE_MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final String source;

    /**
     * @param source the asset's name for error messages (not null)
     */
    public JsonFields(String source) {
        this.source = Validate.nonNull(source, "source");
    }

    /**
     * Parses a JSON document whose top level must be an object.
     *
     * @param in the JSON (not null, read to the end, not closed)
     * @param source the asset's name for error messages (not null)
     * @return the top-level object (not null)
     * @throws AssetFormatException if the JSON is malformed or not an object
     */
    public static JsonNode readObject(InputStream in, String source) {
        return readObject(in, source, false);
    }

    /**
     * Parses a JSON document whose top level must be an object, optionally admitting the {@code NaN} and
     * {@code Infinity} tokens Python's {@code json} writes, so that the field reader can name the field that
     * holds them ({@link #number}, {@link #doubles} and {@link #floats} refuse them).
     *
     * @param in the JSON (not null, read to the end, not closed)
     * @param source the asset's name for error messages (not null)
     * @param nonFiniteTokens true to parse {@code NaN}, {@code Infinity} and {@code -Infinity} as numbers
     * @return the top-level object (not null)
     * @throws AssetFormatException if the JSON is malformed or not an object
     */
    public static JsonNode readObject(InputStream in, String source, boolean nonFiniteTokens) {
        Validate.nonNull(in, "in");
        Validate.nonNull(source, "source");
        JsonNode root;
        try {
            root = (nonFiniteTokens ? NON_FINITE_MAPPER : MAPPER).readTree(in);
        } catch (IOException e) {
            throw new AssetFormatException(source, "", "is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AssetFormatException(source, "", "expected a JSON object at the top level");
        }
        return root;
    }

    /**
     * Reads a whole stream, refusing one longer than a limit before anything parses it (loading may run on the
     * render thread).
     *
     * @param in the stream (not null, read to its end or to {@code maxBytes} + 1 bytes, not closed)
     * @param source the asset's name for error messages (not null)
     * @param maxBytes the largest size accepted (&gt;0)
     * @param limitFor what the limit is for, in the message, e.g. {@code style files (a 128-value style is about
     *     4 KB)} (not null)
     * @return the bytes (not null)
     * @throws AssetFormatException if the stream cannot be read or is longer than {@code maxBytes}
     */
    public static byte[] readAtMost(InputStream in, String source, int maxBytes, String limitFor) {
        Validate.nonNull(in, "in");
        Validate.nonNull(source, "source");
        byte[] bytes;
        try {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new AssetFormatException(source, "", "cannot be read: " + e.getMessage(), e);
        }
        if (bytes.length > maxBytes) {
            throw new AssetFormatException(source, "", "is larger than " + maxBytes + " bytes, the limit for "
                    + limitFor + ": not parsed");
        }
        return bytes;
    }

    /**
     * Reads an asset from a file, naming the file in every error.
     *
     * @param <T> the asset's type
     * @param file the file (not null)
     * @param reader reads the asset from a stream and the name for messages (not null)
     * @return what {@code reader} returns
     * @throws AssetFormatException if the file is missing, unreadable or invalid
     */
    public static <T> T readFile(Path file, BiFunction<InputStream, String, T> reader) {
        Validate.nonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return reader.apply(in, file.toString());
        } catch (IOException e) {
            throw new AssetFormatException(file.toString(), "", "cannot be read: " + e, e);
        }
    }

    /**
     * Checks an asset's {@code format} tag and {@code version}.
     *
     * @param root the asset's top-level object (not null)
     * @param format the format tag expected (not null)
     * @param version the version expected
     * @throws AssetFormatException naming the field if either differs or is missing
     */
    public void formatAndVersion(JsonNode root, String format, int version) {
        String got = string(root, "format", "format");
        if (!format.equals(got)) {
            throw new AssetFormatException(source, "format", "expected '" + format + "' but got '" + got + "'");
        }
        int gotVersion = integer(root, "version", "version");
        if (gotVersion != version) {
            throw new AssetFormatException(source, "version", "expected " + version + " but got " + gotVersion);
        }
    }

    /** @return the asset's name used in error messages (not null) */
    public String source() {
        return source;
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @return the field's node (not null)
     */
    public JsonNode require(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            throw new AssetFormatException(source, path, "is missing");
        }
        return node;
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @return the field as a string
     */
    public String string(JsonNode parent, String name, String path) {
        JsonNode node = require(parent, name, path);
        if (!node.isTextual()) {
            throw new AssetFormatException(source, path, "expected a string but got " + node.getNodeType());
        }
        return node.asText();
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @return the field as an int
     */
    public int integer(JsonNode parent, String name, String path) {
        JsonNode node = require(parent, name, path);
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new AssetFormatException(source, path, "expected an integer but got " + node);
        }
        return node.asInt();
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @return the field as a finite float
     */
    public float number(JsonNode parent, String name, String path) {
        JsonNode node = require(parent, name, path);
        if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
            throw new AssetFormatException(source, path, "expected a finite number but got " + node);
        }
        if (!Float.isFinite((float) node.asDouble())) {
            throw new AssetFormatException(source, path,
                    "expected a number within float range (|x| < 3.4e38) but got " + node);
        }
        return (float) node.asDouble();
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @param expectedSize the number of elements required, or negative for any
     * @return the field as an array node (not null)
     */
    public JsonNode array(JsonNode parent, String name, String path, int expectedSize) {
        return array(require(parent, name, path), path, expectedSize);
    }

    /**
     * @param node a node that should be an array, e.g. a row of a matrix (not null)
     * @param path the node's full path for messages (not null)
     * @param expectedSize the number of elements required, or negative for any
     * @return {@code node} (not null)
     */
    public JsonNode array(JsonNode node, String path, int expectedSize) {
        if (!node.isArray()) {
            throw new AssetFormatException(source, path, "expected an array but got " + node.getNodeType());
        }
        if (expectedSize >= 0 && node.size() != expectedSize) {
            throw new AssetFormatException(source, path,
                    "expected " + expectedSize + " entries but got " + node.size());
        }
        return node;
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @param expectedSize the length required, or negative for any
     * @return the field as a new float array, all finite
     */
    public float[] floats(JsonNode parent, String name, String path, int expectedSize) {
        double[] values = doubles(parent, name, path, expectedSize);
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            // 1e308 is a finite double but an infinite float.
            if (!Float.isFinite((float) values[i])) {
                throw new AssetFormatException(source, path + "[" + i + "]",
                        "expected a number within float range (|x| < 3.4e38) but got " + parent.get(name).get(i));
            }
            out[i] = (float) values[i];
        }
        return out;
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @param expectedSize the length required, or negative for any
     * @return the field as a new double array, all finite
     */
    public double[] doubles(JsonNode parent, String name, String path, int expectedSize) {
        return doubles(require(parent, name, path), path, expectedSize);
    }

    /**
     * @param node a node that should be an array of numbers, e.g. a row of a matrix (not null)
     * @param path the node's full path for messages (not null)
     * @param expectedSize the length required, or negative for any
     * @return the node as a new double array, all finite
     */
    public double[] doubles(JsonNode node, String path, int expectedSize) {
        array(node, path, expectedSize);
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = node.get(i);
            if (!e.isNumber() || !Double.isFinite(e.asDouble())) {
                // A parsed NaN token prints as NaN, not as the string "NaN".
                throw new AssetFormatException(source, path + "[" + i + "]", "expected a finite number but got "
                        + (e.isNumber() ? String.valueOf(e.asDouble()) : e));
            }
            out[i] = e.asDouble();
        }
        return out;
    }

    /**
     * @param parent the object holding the field (not null)
     * @param name the field name (not null)
     * @param path the field's full path for messages (not null)
     * @param bound the exclusive upper bound of each value (&gt;0)
     * @return the field as a new int array, each value in [0, bound)
     */
    public int[] indices(JsonNode parent, String name, String path, int bound) {
        JsonNode node = array(parent, name, path, -1);
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = node.get(i);
            if (!e.isIntegralNumber() || e.asInt() < 0 || e.asInt() >= bound) {
                throw new AssetFormatException(source, path + "[" + i + "]",
                        "expected an index in [0, " + bound + ") but got " + e);
            }
            out[i] = e.asInt();
        }
        return out;
    }
}
