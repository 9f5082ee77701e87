package dev.parley.pack;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.util.Validate;

/**
 * A pack's {@code style_encoder.onnx}: normalised {@code motion} [B, Ts, M] to {@code style} [B, Ds].
 * Tensors are allocated once per batch size and reused. Thread-safe (calls are serialised): styles are
 * extracted rarely, from whichever thread the game likes.
 */
public final class OnnxStyleEncoder extends OnnxGraph {

    private final int frames;
    private final int motionDim;
    private final int styleDim;

    /**
     * @param env the environment (not null)
     * @param session the open encoder session (not null; the caller keeps ownership)
     * @param file the graph's file name for messages (not null)
     * @param frames Ts, frames per clip (&gt;0)
     * @param motionDim M (&gt;0)
     * @param styleDim Ds (&gt;0)
     */
    public OnnxStyleEncoder(OrtEnvironment env, OrtSession session, String file, int frames, int motionDim, int styleDim) {
        super(env, session, file);
        this.frames = Validate.inRange(frames, 1, 1 << 20, "frames");
        this.motionDim = Validate.inRange(motionDim, 1, 1 << 16, "motionDim");
        this.styleDim = Validate.inRange(styleDim, 1, 1 << 16, "styleDim");
    }

    /**
     * @param motion normalised motion, row-major [batch * Ts * M] (not null, unaffected)
     * @param batch clips in the call (&gt;0)
     * @param style receives [batch * Ds] (not null, modified)
     */
    public synchronized void encode(float[] motion, int batch, float[] style) {
        Validate.inRange(batch, 1, 4096, "batch");
        Validate.length(motion, batch * frames * motionDim, "motion");
        Validate.length(style, batch * styleDim, "style");
        TensorSlots s = slots(batch, () -> {
            TensorSlots t = new TensorSlots(env, file);
            t.floatInput("motion", batch, frames, motionDim);
            t.floatOutput("style", batch, styleDim);
            return t;
        });
        s.floats("motion").put(0, motion);
        s.run(session);
        s.floats("style").get(0, style);
    }

    @Override
    public synchronized void close() {
        super.close();
    }
}
