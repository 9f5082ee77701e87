package dev.parley.head;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How a per-frame motion vector is laid out: the expression weights, then axis-angle rotations for
 * joints (jaw, then head at the neck). Read from a head spec or a model pack manifest.
 *
 * @param dim the motion vector's length
 * @param fps the frame rate of motion sequences
 * @param slices the named slices in order (unmodifiable)
 */
public record MotionLayout(int dim, int fps, List<Slice> slices) {

    /**
     * One named slice of the motion vector.
     *
     * @param name the slice's name, e.g. {@code expression}, {@code jaw}, {@code head}
     * @param offset the first index
     * @param size the number of values
     * @param joint the joint an axis-angle slice drives, or null for the expression slice
     */
    public record Slice(String name, int offset, int size, String joint) {
    }

    /**
     * @param name a slice name (not null)
     * @return the slice (not null)
     * @throws IllegalArgumentException naming the known slices if absent
     */
    public Slice slice(String name) {
        for (Slice s : slices) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        List<String> names = new ArrayList<>();
        slices.forEach(s -> names.add(s.name()));
        throw new IllegalArgumentException("motion layout has no slice '" + name + "'; slices: " + names);
    }

    /**
     * The face layout every Parley head uses: the expression weights, then the jaw's and the head's
     * axis-angle rotations, for motion made without a pack (the energy jaw, baked clips).
     *
     * @param expressionCount the number of expression weights (&gt;0)
     * @param fps the frame rate (&gt;0)
     * @param jaw the jaw joint's name, or null if unknown
     * @param head the neck joint's name, or null if unknown
     * @return a new layout (not null)
     */
    public static MotionLayout face(int expressionCount, int fps, String jaw, String head) {
        dev.parley.util.Validate.inRange(expressionCount, 1, 1 << 16, "expressionCount");
        dev.parley.util.Validate.inRange(fps, 1, 1000, "fps");
        return new MotionLayout(expressionCount + 6, fps, List.of(new Slice("expression", 0, expressionCount, null),
                new Slice("jaw", expressionCount, 3, jaw), new Slice("head", expressionCount + 3, 3, head)));
    }

    /**
     * Reads and validates a layout: slices must tile [0, dim) without gaps or overlap, the expression
     * slice must have {@code expressionCount} values and joint slices 3 (axis-angle).
     *
     * @param f the field reader of the enclosing asset (not null)
     * @param node the object holding {@code dim}, {@code fps} and {@code layout} (not null)
     * @param path the object's path for messages (not null)
     * @param expressionCount the expected size of the expression slice
     * @return a new layout (not null)
     * @throws dev.parley.util.AssetFormatException naming the field of any problem
     */
    public static MotionLayout read(JsonFields f, JsonNode node, String path, int expressionCount) {
        int dim = f.integer(node, "dim", path + ".dim");
        int fps = f.integer(node, "fps", path + ".fps");
        if (fps <= 0) {
            throw new AssetFormatException(f.source(), path + ".fps", "expected a positive frame rate but got " + fps);
        }
        JsonNode layout = f.array(node, "layout", path + ".layout", -1);
        List<Slice> slices = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < layout.size(); i++) {
            String p = path + ".layout[" + i + "]";
            JsonNode s = layout.get(i);
            String name = f.string(s, "name", p + ".name");
            int offset = f.integer(s, "offset", p + ".offset");
            int size = f.integer(s, "size", p + ".size");
            String joint = s.hasNonNull("joint") ? f.string(s, "joint", p + ".joint") : null;
            if (offset != next) {
                throw new AssetFormatException(f.source(), p + ".offset", "expected " + next + " but got " + offset);
            }
            int expected = joint == null ? expressionCount : 3;
            if (size != expected) {
                throw new AssetFormatException(f.source(), p + ".size", "expected " + expected + " but got " + size);
            }
            slices.add(new Slice(name, offset, size, joint));
            next = offset + size;
        }
        if (next != dim) {
            throw new AssetFormatException(f.source(), path + ".dim", "expected " + next + " (sum of slices) but got "
                    + dim);
        }
        return new MotionLayout(dim, fps, Collections.unmodifiableList(slices));
    }
}
