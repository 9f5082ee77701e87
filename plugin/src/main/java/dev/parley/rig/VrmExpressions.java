package dev.parley.rig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Validate;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preset expressions of a VRM 1.0 model ({@code VRMC_vrm.expressions.preset} in a {@code .vrm}/{@code .glb}'s
 * JSON chunk), each as the morph targets it binds, by the name jME's glTF loader gives them
 * ({@code mesh.extras.targetNames}), with their weights. Only what a rig profile needs is read; everything else
 * (materials, skeleton, meta) is left to the model loader. VRM 0.x ({@code VRM} extension) is not read.
 */
public final class VrmExpressions {

    /** Largest JSON chunk read, in bytes (a VRM's JSON is usually under 1 MB; its buffers come after). */
    public static final int MAX_JSON_BYTES = 16 << 20;
    private static final int GLB_MAGIC = 0x46546C67; // "glTF"
    private static final int JSON_CHUNK = 0x4E4F534A; // "JSON"

    private final Map<String, List<Bind>> presets;

    /**
     * One morph target an expression moves.
     *
     * @param morphTarget the morph target's name (not null)
     * @param weight how far it moves at expression weight 1
     */
    public record Bind(String morphTarget, float weight) {
    }

    private VrmExpressions(Map<String, List<Bind>> presets) {
        this.presets = Collections.unmodifiableMap(presets);
    }

    /**
     * Reads the presets from a binary glTF.
     *
     * @param glb the {@code .vrm}/{@code .glb} bytes (not null, read up to the end of the JSON chunk, not closed)
     * @param source the file name for messages (not null)
     * @return the presets (not null)
     * @throws AssetFormatException if it is not a binary glTF, has no {@code VRMC_vrm} expressions, or a bind
     *     names a node, mesh or target that is not there
     */
    public static VrmExpressions read(InputStream glb, String source) {
        Validate.nonNull(glb, "glb");
        Validate.nonNull(source, "source");
        byte[] json;
        try {
            DataInputStream in = new DataInputStream(glb);
            ByteBuffer header = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            in.readFully(header.array());
            if (header.getInt(0) != GLB_MAGIC || header.getInt(16) != JSON_CHUNK) {
                throw new AssetFormatException(source, "header", "expected a binary glTF ('glTF' then a JSON chunk)"
                        + " as VRM 1.0 files are");
            }
            int length = header.getInt(12);
            if (length <= 0 || length > MAX_JSON_BYTES) {
                throw new AssetFormatException(source, "JSON chunk", "expected 1 to " + MAX_JSON_BYTES
                        + " bytes but the header says " + Integer.toUnsignedString(length));
            }
            json = new byte[length];
            in.readFully(json);
        } catch (IOException e) {
            throw new AssetFormatException(source, "header", "cannot be read (truncated?): " + e, e);
        }
        return parse(JsonFields.readObject(new ByteArrayInputStream(json), source), new JsonFields(source));
    }

    private static VrmExpressions parse(JsonNode root, JsonFields f) {
        JsonNode vrm = root.path("extensions").path("VRMC_vrm");
        if (vrm.isMissingNode()) {
            throw new AssetFormatException(f.source(), "extensions.VRMC_vrm", "is missing (not a VRM 1.0 model;"
                    + " VRM 0.x is not read: bind its blend shapes with RigProfile.of(set, Map))");
        }
        JsonNode preset = f.require(f.require(vrm, "expressions", "extensions.VRMC_vrm.expressions"), "preset",
                "extensions.VRMC_vrm.expressions.preset");
        JsonNode nodes = f.array(root, "nodes", "nodes", -1);
        JsonNode meshes = f.array(root, "meshes", "meshes", -1);
        Map<String, List<Bind>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = preset.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = "extensions.VRMC_vrm.expressions.preset." + e.getKey() + ".morphTargetBinds";
            JsonNode binds = e.getValue().path("morphTargetBinds");
            List<Bind> list = new ArrayList<>();
            for (int i = 0; binds.isArray() && i < binds.size(); i++) {
                String at = path + "[" + i + "]";
                JsonNode b = binds.get(i);
                int node = index(f, b, "node", at, nodes.size());
                JsonNode mesh = nodes.get(node).path("mesh");
                if (!mesh.canConvertToInt() || mesh.asInt() < 0 || mesh.asInt() >= meshes.size()) {
                    throw new AssetFormatException(f.source(), at + ".node", "expected a node with a mesh but node "
                            + node + " has " + (mesh.isMissingNode() ? "none" : mesh));
                }
                JsonNode names = meshes.get(mesh.asInt()).path("extras").path("targetNames");
                int target = index(f, b, "index", at, names.isArray() ? names.size() : Integer.MAX_VALUE);
                if (!names.isArray() || !names.get(target).isTextual()) {
                    throw new AssetFormatException(f.source(), "meshes[" + mesh.asInt() + "].extras.targetNames",
                            "expected the morph target names (as jME names them) but got "
                            + (names.isMissingNode() ? "none" : names));
                }
                list.add(new Bind(names.get(target).asText(), f.number(b, "weight", at + ".weight")));
            }
            out.put(e.getKey(), List.copyOf(list));
        }
        return new VrmExpressions(out);
    }

    private static int index(JsonFields f, JsonNode parent, String name, String path, int bound) {
        int i = f.integer(parent, name, path + "." + name);
        if (i < 0 || i >= bound) {
            throw new AssetFormatException(f.source(), path + "." + name, "expected an index in [0, " + bound
                    + ") but got " + i);
        }
        return i;
    }

    /** @return each preset's binds, by preset name (not null, unmodifiable; a preset may bind nothing) */
    public Map<String, List<Bind>> presets() {
        return presets;
    }
}
