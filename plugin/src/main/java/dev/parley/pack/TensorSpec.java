package dev.parley.pack;

import dev.parley.util.Validate;

/**
 * One input or output of a pack graph as Parley calls it: its name, element type and shape, with
 * {@link #ANY} on the axes that each call chooses (the batch, the audio length). Each ONNX wrapper
 * declares its tensors once with these; the pack checks the graphs against them at load and
 * {@link TensorSlots} allocates from them. Immutable.
 *
 * @param name the graph's input or output name (not null)
 * @param input true for an input, false for an output
 * @param int64 true for an int64 tensor, false for float32
 * @param shape the sizes, {@link #ANY} where a call chooses (not null; the record's own array: do not modify)
 * @param fields the manifest fields the fixed sizes come from, for messages (null when none)
 */
record TensorSpec(String name, boolean input, boolean int64, long[] shape, String fields) {

    /** An axis whose size each call chooses. */
    static final long ANY = -1;

    /** Checks the values. */
    TensorSpec {
        Validate.nonNull(name, "name");
        Validate.nonNull(shape, "shape");
    }

    /**
     * @param name the input's name (not null)
     * @param fields the manifest fields of the fixed sizes (null when none)
     * @param shape the sizes, {@link #ANY} where a call chooses
     * @return a float32 input (not null)
     */
    static TensorSpec floatInput(String name, String fields, long... shape) {
        return new TensorSpec(name, true, false, shape, fields);
    }

    /**
     * @param name the input's name (not null)
     * @param shape the sizes, {@link #ANY} where a call chooses
     * @return an int64 input (not null)
     */
    static TensorSpec longInput(String name, long... shape) {
        return new TensorSpec(name, true, true, shape, null);
    }

    /**
     * @param name the output's name (not null)
     * @param fields the manifest fields of the fixed sizes (null when none)
     * @param shape the sizes, {@link #ANY} where a call chooses
     * @return a float32 output (not null)
     */
    static TensorSpec floatOutput(String name, String fields, long... shape) {
        return new TensorSpec(name, false, false, shape, fields);
    }

    /** @return this output declared as an input of another graph (a new spec) */
    TensorSpec asInput() {
        return new TensorSpec(name, true, int64, shape.clone(), fields);
    }

    /**
     * @param free the sizes of the {@link #ANY} axes, in order (not null)
     * @return the concrete shape (a new array)
     * @throws IllegalArgumentException if {@code free} does not give one size per {@link #ANY} axis
     */
    long[] resolve(long... free) {
        long[] out = shape.clone();
        int k = 0;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == ANY) {
                if (k == free.length) {
                    throw new IllegalArgumentException(name + ": too few free sizes " + free.length);
                }
                out[i] = free[k++];
            }
        }
        if (k != free.length) {
            throw new IllegalArgumentException(name + ": " + free.length + " free sizes for " + k + " free axes");
        }
        return out;
    }

    /**
     * @param got a graph's declared shape, negative on symbolic axes (not null)
     * @return true if the graph's shape has this rank and agrees on every axis both fix
     */
    boolean accepts(long[] got) {
        boolean ok = got.length == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] == ANY || got[i] < 0 || got[i] == shape[i];
        }
        return ok;
    }

    /**
     * @param shape sizes, negative on symbolic axes (not null)
     * @return e.g. {@code [?, 100, 56]}
     */
    static String text(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }
}
