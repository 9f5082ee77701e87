package dev.parley.head;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jme3.asset.AssetInfo;
import com.jme3.asset.AssetKey;
import com.jme3.asset.AssetManager;
import com.jme3.asset.AssetNotFoundException;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable spec of a FLAME-structured head ({@code *.spec.json}): expression component
 * names and their morph targets, joints, the per-frame motion layout, and vertex regions used by
 * metrics and tests. Immutable once loaded; validated on load with errors that name the field.
 */
public final class HeadSpec {

    /** The spec format this reader understands. */
    public static final String FORMAT = "parley-head-spec";
    /** The spec version this reader understands. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String source;
    private final String name;
    private final String model;
    private final int vertexCount;
    private final String shapeFile;
    private final int shapeCount;
    private final List<String> expressionNames;
    private final List<String> expressionTargets;
    private final List<Joint> joints;
    private final MotionLayout motionLayout;
    private final Map<String, int[]> regions;
    private final int[][] mouthOpeningPairs;
    private final float mouthClosedBelow;

    /** One joint of the head: its name, parent index (-1 for the root) and world bind position. */
    public record Joint(String name, int parent, float[] rest) {
    }

    private HeadSpec(String source, JsonNode root) {
        JsonFields f = new JsonFields(source);
        this.source = source;
        f.formatAndVersion(root, FORMAT, VERSION);
        name = f.string(root, "name", "name");
        model = f.string(root, "model", "model");
        JsonNode mesh = f.require(root, "mesh", "mesh");
        vertexCount = f.integer(mesh, "vertexCount", "mesh.vertexCount");
        // Optional: a head without identity shapes has neither.
        shapeFile = root.has("shapeFile") ? f.string(root, "shapeFile", "shapeFile") : null;
        shapeCount = shapeFile == null ? 0 : f.integer(f.require(root, "shape", "shape"), "count", "shape.count");

        JsonNode expression = f.require(root, "expression", "expression");
        int count = f.integer(expression, "count", "expression.count");
        JsonNode components = f.array(expression, "components", "expression.components", count);
        List<String> names = new ArrayList<>(count);
        List<String> targets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String path = "expression.components[" + i + "]";
            names.add(f.string(components.get(i), "name", path + ".name"));
            targets.add(f.string(components.get(i), "target", path + ".target"));
        }
        expressionNames = Collections.unmodifiableList(names);
        expressionTargets = Collections.unmodifiableList(targets);

        JsonNode jointArray = f.array(root, "joints", "joints", -1);
        List<Joint> jointList = new ArrayList<>(jointArray.size());
        for (int i = 0; i < jointArray.size(); i++) {
            String path = "joints[" + i + "]";
            JsonNode j = jointArray.get(i);
            int parent = f.integer(j, "parent", path + ".parent");
            if (parent < -1 || parent >= i) {
                throw new AssetFormatException(source, path + ".parent",
                        "expected -1 or an earlier joint index but got " + parent);
            }
            jointList.add(new Joint(f.string(j, "name", path + ".name"), parent,
                    f.floats(j, "rest", path + ".rest", 3)));
        }
        joints = Collections.unmodifiableList(jointList);

        motionLayout = MotionLayout.read(f, f.require(root, "motion", "motion"), "motion", count);
        for (MotionLayout.Slice slice : motionLayout.slices()) {
            if (slice.joint() != null && jointIndex(slice.joint()) < 0) {
                throw new AssetFormatException(source, "motion.layout." + slice.name() + ".joint",
                        "names joint '" + slice.joint() + "' but the joints are " + jointNames());
            }
        }

        Map<String, int[]> regionMap = new LinkedHashMap<>();
        JsonNode regionNode = f.require(root, "regions", "regions");
        for (Iterator<String> it = regionNode.fieldNames(); it.hasNext(); ) {
            String region = it.next();
            regionMap.put(region, f.indices(regionNode, region, "regions." + region, vertexCount));
        }
        regions = Collections.unmodifiableMap(regionMap);

        JsonNode opening = f.require(root, "mouthOpening", "mouthOpening");
        JsonNode pairs = f.array(opening, "pairs", "mouthOpening.pairs", -1);
        mouthOpeningPairs = new int[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode wrapper = MAPPER.createObjectNode().set("pair", pairs.get(i));
            mouthOpeningPairs[i] = f.indices(wrapper, "pair", "mouthOpening.pairs[" + i + "]", vertexCount);
            if (mouthOpeningPairs[i].length != 2) {
                throw new AssetFormatException(source, "mouthOpening.pairs[" + i + "]",
                        "expected 2 vertex indices but got " + mouthOpeningPairs[i].length);
            }
        }
        mouthClosedBelow = f.number(opening, "closedBelow", "mouthOpening.closedBelow");
    }

    /**
     * Reads and validates a spec from a stream.
     *
     * @param in the JSON stream (not null, read to the end, not closed)
     * @param source the name used in error messages, e.g. the file name (not null)
     * @return a new spec (not null)
     * @throws AssetFormatException if the JSON is malformed or a field is missing or wrong
     */
    public static HeadSpec read(InputStream in, String source) {
        Validate.nonNull(in, "in");
        Validate.nonNull(source, "source");
        JsonNode root = JsonFields.readObject(in, source);
        return new HeadSpec(source, root);
    }

    /**
     * Reads a spec from a file.
     *
     * @param file the spec file (not null)
     * @return a new spec (not null)
     * @throws AssetFormatException if the file is missing, unreadable or malformed
     */
    public static HeadSpec load(Path file) {
        return JsonFields.readFile(file, HeadSpec::read);
    }

    /**
     * Reads a spec through an asset manager.
     *
     * @param assetManager the asset manager (not null)
     * @param assetPath the spec's asset path, e.g. {@code Models/ParleyHead/ParleyHead.spec.json} (not null)
     * @return a new spec (not null)
     * @throws AssetNotFoundException if no locator finds the asset
     */
    public static HeadSpec load(AssetManager assetManager, String assetPath) {
        Validate.nonNull(assetManager, "assetManager");
        Validate.nonEmpty(assetPath, "assetPath");
        AssetInfo info = assetManager.locateAsset(new AssetKey<>(assetPath));
        if (info == null) {
            throw new AssetNotFoundException("Head spec '" + assetPath + "' was not found by any asset locator");
        }
        try (InputStream in = info.openStream()) {
            return read(in, assetPath);
        } catch (IOException e) {
            throw new AssetFormatException(assetPath, "", "cannot be read: " + e, e);
        }
    }

    /** @return the name used in error messages (not null) */
    public String source() {
        return source;
    }

    /** @return the head's name (not null) */
    public String name() {
        return name;
    }

    /** @return the model file name, relative to the spec's folder (not null) */
    public String model() {
        return model;
    }

    /** @return the shape basis file name relative to the spec's folder, or null if the head has none */
    public String shapeFile() {
        return shapeFile;
    }

    /** @return the number of identity shape components (0 if the head has no shape basis) */
    public int shapeCount() {
        return shapeCount;
    }

    /** @return the number of vertices of the head mesh */
    public int vertexCount() {
        return vertexCount;
    }

    /** @return the expression component names in order (not null, unmodifiable) */
    public List<String> expressionNames() {
        return expressionNames;
    }

    /** @return the morph target name of each expression component in order (not null, unmodifiable) */
    public List<String> expressionTargets() {
        return expressionTargets;
    }

    /** @return the joints in FLAME order (not null, unmodifiable; the rest arrays must not be modified) */
    public List<Joint> joints() {
        return joints;
    }

    /** @return the joint names in order (a new list) */
    public List<String> jointNames() {
        List<String> out = new ArrayList<>(joints.size());
        for (Joint j : joints) {
            out.add(j.name());
        }
        return out;
    }

    /**
     * @param jointName a joint name (not null)
     * @return the joint's index, or -1 if the spec has no such joint
     */
    public int jointIndex(String jointName) {
        for (int i = 0; i < joints.size(); i++) {
            if (joints.get(i).name().equals(jointName)) {
                return i;
            }
        }
        return -1;
    }

    /** @return the per-frame motion layout the models predict (not null) */
    public MotionLayout motionLayout() {
        return motionLayout;
    }

    /**
     * @param region a region name such as {@code lips} or {@code upperFace} (not null)
     * @return the region's vertex indices (not null; the pre-existing array, do not modify)
     * @throws IllegalArgumentException naming the known regions if there is no such region
     */
    public int[] region(String region) {
        int[] r = regions.get(region);
        if (r == null) {
            throw new IllegalArgumentException(source + " has no region '" + region + "'; regions: "
                    + regions.keySet());
        }
        return r;
    }

    /** @return the region names (not null, unmodifiable) */
    public java.util.Set<String> regionNames() {
        return regions.keySet();
    }

    /**
     * @return upper/lower inner-lip vertex pairs for the mouth-opening measure (the pre-existing arrays, do not modify)
     */
    public int[][] mouthOpeningPairs() {
        return mouthOpeningPairs;
    }

    /** @return the mouth opening in meters below which the lips count as closed */
    public float mouthClosedBelow() {
        return mouthClosedBelow;
    }
}
