package dev.parley.pack;

import static dev.parley.pack.TensorSpec.ANY;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.model.ModelDims;
import dev.parley.util.Validate;
import java.util.List;

/**
 * A pack's {@code style_encoder.onnx}: normalised {@code motion} [B, Ts, M] to {@code style} [B, Ds].
 * Tensors are allocated once per batch size and reused. Thread-safe (calls are serialised): styles are
 * extracted rarely, from whichever thread the game likes.
 */
public final class OnnxStyleEncoder extends OnnxGraph {

    /** The input: normalised motion [B, Ts, M]. */
    static final String MOTION = "motion";
    /** The output: the style embedding [B, Ds]. */
    static final String STYLE = "style";

    /** Wraps an open session of the graph (see {@link OnnxGraph}: the pack keeps the session). */
    OnnxStyleEncoder(OrtEnvironment env, OrtSession session, String file, ModelDims dims) {
        super(env, session, file, dims, contract(dims));
    }

    /** @return the graph's inputs and outputs as this wrapper calls them (not null) */
    static List<TensorSpec> contract(ModelDims dims) {
        return List.of(
                TensorSpec.floatInput(MOTION, "style.frames / motion.dim", ANY, dims.styleFrames(), dims.motionDim()),
                TensorSpec.floatOutput(STYLE, "style.dim", ANY, dims.styleDim()));
    }

    /**
     * @param motion normalised motion, row-major [batch * Ts * M] (not null, unaffected)
     * @param batch clips in the call (in [1, 4096])
     * @param style receives [batch * Ds] (not null, modified)
     */
    public synchronized void encode(float[] motion, int batch, float[] style) {
        Validate.inRange(batch, 1, 4096, "batch");
        Validate.length(motion, batch * dims.styleClipSize(), "motion");
        Validate.length(style, batch * dims.styleDim(), "style");
        TensorSlots s = slots(batch, () -> {
            TensorSlots t = new TensorSlots(env, file);
            contract.forEach(spec -> t.add(spec, batch));
            return t;
        });
        s.floats(MOTION).put(0, motion);
        s.run(session, null);
        s.floats(STYLE).get(0, style);
    }

    @Override
    public synchronized void close() {
        super.close();
    }
}
