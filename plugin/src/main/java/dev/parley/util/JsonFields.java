package dev.parley.util;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads required fields out of a Jackson tree and turns every mismatch into an
 * {@link AssetFormatException} naming the source, the field path, expected and got.
 * Shared by the head spec, style and model pack readers.
 */
public final class JsonFields {

    private static final ObjectMapper MAPPER = new ObjectMapper();

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
        Validate.nonNull(in, "in");
        Validate.nonNull(source, "source");
        JsonNode root;
        try {
            root = MAPPER.readTree(in);
        } catch (IOException e) {
            throw new AssetFormatException(source, "", "is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AssetFormatException(source, "", "expected a JSON object at the top level");
        }
        return root;
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
        JsonNode node = require(parent, name, path);
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
        JsonNode node = array(parent, name, path, expectedSize);
        float[] out = new float[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = node.get(i);
            if (!e.isNumber() || !Double.isFinite(e.asDouble())) {
                throw new AssetFormatException(source, path + "[" + i + "]", "expected a finite number but got " + e);
            }
            // 1e308 is a finite double but an infinite float.
            if (!Float.isFinite((float) e.asDouble())) {
                throw new AssetFormatException(source, path + "[" + i + "]",
                        "expected a number within float range (|x| < 3.4e38) but got " + e);
            }
            out[i] = (float) e.asDouble();
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
