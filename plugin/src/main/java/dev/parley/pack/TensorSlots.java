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
     * Adds a float input.
     *
     * @param name the graph input's name (not null)
     * @param shape the tensor's shape (not null)
     * @return the buffer the tensor reads (owned by these slots: write it before each run, never keep it after close)
     */
    FloatBuffer floatInput(String name, long... shape) {
        FloatBuffer buffer = direct(shape).asFloatBuffer();
        inputs.put(name, tensor(buffer, shape));
        buffers.put(name, buffer);
        return buffer;
    }

    /**
     * Adds an int64 input.
     *
     * @param name the graph input's name (not null)
     * @param shape the tensor's shape (not null)
     * @return the buffer the tensor reads (owned by these slots)
     */
    LongBuffer longInput(String name, long... shape) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(8 * (int) count(shape)).order(ByteOrder.nativeOrder());
        LongBuffer buffer = bytes.asLongBuffer();
        try {
            inputs.put(name, OnnxTensor.createTensor(env, buffer, shape));
        } catch (OrtException e) {
            throw failure("cannot create input '" + name + "'", e);
        }
        buffers.put(name, buffer);
        return buffer;
    }

    /**
     * Adds a float output that runs write into.
     *
     * @param name the graph output's name (not null)
     * @param shape the output's shape (not null)
     * @return the buffer runs write (owned by these slots: read it after a run)
     */
    FloatBuffer floatOutput(String name, long... shape) {
        FloatBuffer buffer = direct(shape).asFloatBuffer();
        outputs.put(name, tensor(buffer, shape));
        buffers.put(name, buffer);
        return buffer;
    }

    /**
     * @param name an input or output added before (not null)
     * @return its float buffer (owned by these slots)
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
     * Runs a session on these inputs, writing the outputs in place.
     *
     * @param session the graph's session (not null, open)
     * @throws IllegalStateException naming the graph if ONNX Runtime fails
     */
    void run(OrtSession session) {
        if (closed) {
            throw new IllegalStateException(graph + ": tensors already closed");
        }
        try {
            // Pinned outputs: the result owns nothing that needs reading.
            session.run(inputs, outputs).close();
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

    private OnnxTensor tensor(FloatBuffer buffer, long[] shape) {
        try {
            return OnnxTensor.createTensor(env, buffer, shape);
        } catch (OrtException e) {
            throw failure("cannot create a tensor", e);
        }
    }

    private static ByteBuffer direct(long[] shape) {
        return ByteBuffer.allocateDirect(4 * (int) count(shape)).order(ByteOrder.nativeOrder());
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
