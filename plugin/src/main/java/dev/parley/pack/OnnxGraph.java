package dev.parley.pack;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.util.Validate;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Common part of the wrappers around a pack's graphs: the session, and one set of reusable
 * {@link TensorSlots} per input shape seen (batch sizes differ as characters start and stop talking).
 * Closing the wrapper closes every tensor it made; the session belongs to the {@link ParleyPack}.
 *
 * <p>Not thread-safe: a wrapper is used by one thread at a time (the inference worker).
 */
abstract class OnnxGraph implements AutoCloseable {

    /** Shapes kept before the least recent is closed; batch sizes are few, so this is rarely reached. */
    private static final int MAX_SHAPES = 16;

    /** The ONNX Runtime environment. */
    protected final OrtEnvironment env;
    /** The graph's open session (owned by the pack). */
    protected final OrtSession session;
    /** The graph's file name, for messages. */
    protected final String file;
    private final Map<Long, TensorSlots> slots = new HashMap<>();
    private boolean closed;

    /**
     * @param env the environment (not null)
     * @param session the open session (not null; the caller keeps ownership)
     * @param file the graph's file name for messages (not null)
     */
    OnnxGraph(OrtEnvironment env, OrtSession session, String file) {
        this.env = Validate.nonNull(env, "env");
        this.session = Validate.nonNull(session, "session");
        this.file = Validate.nonNull(file, "file");
    }

    /**
     * @param key identifies the shape, e.g. the batch size (any value)
     * @param create makes the slots for a shape not seen yet (not null)
     * @return the slots for that shape (owned by this wrapper)
     */
    protected final TensorSlots slots(long key, Supplier<TensorSlots> create) {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
        TensorSlots s = slots.get(key);
        if (s == null) {
            if (slots.size() >= MAX_SHAPES) {
                slots.values().forEach(TensorSlots::close);
                slots.clear();
            }
            s = create.get();
            slots.put(key, s);
        }
        return s;
    }

    /** @return the number of tensor sets held (for leak tests) */
    final int shapeCount() {
        return slots.size();
    }

    @Override
    public void close() {
        closed = true;
        slots.values().forEach(TensorSlots::close);
        slots.clear();
    }
}
