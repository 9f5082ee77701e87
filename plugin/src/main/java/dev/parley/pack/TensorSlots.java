package dev.parley.pack;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input and output tensors of one graph at one fixed shape, allocated once and reused for every
 * run: each tensor wraps a direct buffer, so writing the buffer changes what the next run reads and
 * a run writes its output straight into the output buffer (pinned outputs: nothing is allocated per
 * run). Closing the slots closes every tensor; nothing native outlives {@link #close()}.
 *
 * <p>Not thread-safe: owned by the wrapper that made it, used by one thread at a time.
 */
final class TensorSlots implements AutoCloseable {

    private final OrtEnvironment env;
    private final String graph;
    private final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> outputs = new LinkedHashMap<>();
    private final Map<String, Buffer> buffers = new HashMap<>();
    private final Map<String, long[]> rowKeys = new HashMap<>();
    private boolean closed;

    /**
     * @param env the ONNX Runtime environment (not null)
     * @param graph the graph's file name, for messages (not null)
     */
    TensorSlots(OrtEnvironment env, String graph) {
        this.env = env;
        this.graph = graph;
    }

    /**
     * Adds a tensor as its graph declares it.
     *
     * @param spec the input or output (not null)
     * @param free the sizes of its free axes, in order (see {@link TensorSpec#resolve})
     */
    void add(TensorSpec spec, long... free) {
        long[] shape = spec.resolve(free);
        ByteBuffer bytes = ByteBuffer.allocateDirect((spec.int64() ? 8 : 4) * (int) count(shape))
                .order(ByteOrder.nativeOrder());
        Buffer buffer = spec.int64() ? bytes.asLongBuffer() : bytes.asFloatBuffer();
        OnnxTensor tensor;
        try {
            tensor = spec.int64() ? OnnxTensor.createTensor(env, (LongBuffer) buffer, shape)
                    : OnnxTensor.createTensor(env, (FloatBuffer) buffer, shape);
        } catch (OrtException e) {
            throw failure("cannot create " + (spec.input() ? "input" : "output") + " '" + spec.name() + "'", e);
        }
        (spec.input() ? inputs : outputs).put(spec.name(), tensor);
        buffers.put(spec.name(), buffer);
    }

    /**
     * @param name a float input or output added before (not null)
     * @return the buffer its tensor reads or a run writes (owned by these slots: never keep it after close)
     */
    FloatBuffer floats(String name) {
        return (FloatBuffer) buffers.get(name);
    }

    /**
     * @param name an int64 input added before (not null)
     * @return its buffer (owned by these slots)
     */
    LongBuffer longs(String name) {
        return (LongBuffer) buffers.get(name);
    }

    /**
     * What each row of an input holds, for a wrapper that skips rewriting rows that did not change: it
     * reads and writes the keys itself. All 0 (nothing known) when the slots are made.
     *
     * @param name an input added before (not null)
     * @param rows the batch size (&ge;1)
     * @return the keys, one per row (owned by these slots: the same array on every call)
     */
    long[] rowKeys(String name, int rows) {
        return rowKeys.computeIfAbsent(name, n -> new long[rows]);
    }

    /**
     * Runs a session on these inputs, writing the outputs in place.
     *
     * @param session the graph's session (not null, open)
     * @param options run options (null for the defaults)
     * @throws IllegalStateException naming the graph if ONNX Runtime fails
     */
    void run(OrtSession session, OrtSession.RunOptions options) {
        if (closed) {
            throw new IllegalStateException(graph + ": tensors already closed");
        }
        try {
            // Pinned outputs: the result owns nothing that needs reading.
            session.run(inputs, Collections.emptySet(), outputs, options).close();
        } catch (OrtException e) {
            throw failure("run failed", e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inputs.values().forEach(OnnxTensor::close);
            outputs.values().forEach(OnnxTensor::close);
        }
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException("tensor of " + n + " elements is too large");
        }
        return n;
    }

    private IllegalStateException failure(String what, OrtException e) {
        return new IllegalStateException(graph + ": " + what + ": " + e.getMessage(), e);
    }
}
