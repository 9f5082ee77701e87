package dev.parley.pack;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.parley.model.ModelDims;
import dev.parley.util.AssetFormatException;
import dev.parley.util.Validate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
    /** The model's dimensions, which size every tensor. */
    protected final ModelDims dims;
    /** The graph's inputs and outputs as this wrapper calls them (unmodifiable). */
    protected final List<TensorSpec> contract;
    private final Map<Long, TensorSlots> slots = new HashMap<>();
    private boolean closed;

    /**
     * @param env the environment (not null)
     * @param session the open session (not null; the caller keeps ownership)
     * @param file the graph's file name for messages (not null)
     * @param dims the model's dimensions (not null)
     * @param contract the graph's inputs and outputs as the wrapper calls them (not null, copied)
     */
    OnnxGraph(OrtEnvironment env, OrtSession session, String file, ModelDims dims, List<TensorSpec> contract) {
        this.env = Validate.nonNull(env, "env");
        this.session = Validate.nonNull(session, "session");
        this.file = Validate.nonNull(file, "file");
        this.dims = Validate.nonNull(dims, "dims");
        this.contract = List.copyOf(contract);
    }

    /**
     * Checks the session against the contract: every input and output present, a tensor of the
     * declared type and rank, and the declared size on every axis that both fix.
     *
     * @param path the graph's file, for messages (not null)
     * @param manifest the manifest the sizes come from, for messages (not null)
     * @param windowField the manifest field of the graph's window frames, for messages ({@code window.current},
     *     or {@code stream.window} for a stream graph; not null)
     * @throws AssetFormatException naming the file, the tensor, the manifest fields and both shapes
     */
    final void checkContract(Path path, String manifest, String windowField) {
        for (TensorSpec spec : contract) {
            Map<String, NodeInfo> infos;
            try {
                infos = spec.input() ? session.getInputInfo() : session.getOutputInfo();
            } catch (OrtException e) {
                throw new AssetFormatException(path.toString(), "", "cannot be inspected: " + e.getMessage(), e);
            }
            String kind = spec.input() ? "input" : "output";
            NodeInfo info = infos.get(spec.name());
            if (info == null) {
                throw new AssetFormatException(path.toString(), "", "has no " + kind + " '" + spec.name()
                        + "' (it has " + new ArrayList<>(infos.keySet()) + "); see docs/model-pack.md");
            }
            OnnxJavaType type = spec.int64() ? OnnxJavaType.INT64 : OnnxJavaType.FLOAT;
            if (!(info.getInfo() instanceof TensorInfo t) || t.type != type) {
                throw new AssetFormatException(path.toString(), "", kind + " '" + spec.name() + "' expected a "
                        + type + " tensor but got " + info.getInfo());
            }
            if (!spec.accepts(t.getShape())) {
                String from = spec.fields() == null ? "" : " (from " + manifest + " fields "
                        + spec.fields().replace("window.current", windowField) + ")";
                throw new AssetFormatException(path.toString(), "", kind + " '" + spec.name() + "' expected shape "
                        + TensorSpec.text(spec.shape()) + from + " but got " + TensorSpec.text(t.getShape()));
            }
        }
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
