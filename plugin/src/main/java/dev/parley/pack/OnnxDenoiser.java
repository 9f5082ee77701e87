package dev.parley.pack;

import static dev.parley.pack.TensorSpec.ANY;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.model.ModelDims;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.DenoiserBatch;
import dev.parley.util.Validate;
import java.util.List;

/**
 * A pack's {@code denoiser.onnx} as a {@link Denoiser}. The nine input tensors and the output are
 * allocated once per batch size over direct buffers and reused for every step: a run copies the
 * batch's arrays in and the prediction out, and allocates nothing. {@link #close()} closes every tensor.
 * Not thread-safe; the session is owned by the caller.
 */
public final class OnnxDenoiser extends OnnxGraph implements Denoiser {

    /** Noisy motion [B, Tw, M]. */
    static final String X_T = "x_t";
    /** The diffusion timestep per row, int64 [B]. */
    static final String TIMESTEP = "timestep";
    /** Normalised previous frames [B, Tp, M]. */
    static final String PREV_MOTION = "prev_motion";
    /** 1 for a line's first window [B]. */
    static final String FIRST_WINDOW = "first_window";
    /** Audio features [B, Tw, Da]. */
    static final String AUDIO_FEATURES = "audio_features";
    /** 1 where the audio condition is on [B]. */
    static final String AUDIO_MASK = "audio_mask";
    /** Style embedding [B, Ds]. */
    static final String STYLE = "style";
    /** 1 where the style condition is on [B]. */
    static final String STYLE_MASK = "style_mask";
    /** Shape [B, shape.dim]. */
    static final String SHAPE = "shape";
    /** The prediction of clean normalised motion [B, Tw, M]. */
    static final String X0 = "x0";

    /** Wraps an open session of the graph (see {@link OnnxGraph}: the pack keeps the session). */
    OnnxDenoiser(OrtEnvironment env, OrtSession session, String file, ModelDims dims) {
        super(env, session, file, dims, contract(dims));
    }

    /** @return the graph's inputs and outputs as this wrapper calls them, the batch axis free (not null) */
    static List<TensorSpec> contract(ModelDims d) {
        long tw = d.windowFrames();
        long m = d.motionDim();
        return List.of(
                TensorSpec.floatInput(X_T, "window.current / motion.dim", ANY, tw, m),
                TensorSpec.longInput(TIMESTEP, ANY),
                TensorSpec.floatInput(PREV_MOTION, "window.previous / motion.dim", ANY, d.previousFrames(), m),
                TensorSpec.floatInput(FIRST_WINDOW, null, ANY),
                TensorSpec.floatInput(AUDIO_FEATURES, "window.current / audio.featureDim", ANY, tw, d.audioDim()),
                TensorSpec.floatInput(AUDIO_MASK, null, ANY),
                TensorSpec.floatInput(STYLE, "style.dim", ANY, d.styleDim()),
                TensorSpec.floatInput(STYLE_MASK, null, ANY),
                TensorSpec.floatInput(SHAPE, "shape.dim", ANY, d.shapeDim()),
                TensorSpec.floatOutput(X0, "window.current / motion.dim", ANY, tw, m));
    }

    @Override
    public void predict(DenoiserBatch in, float[] x0) {
        predict(in, x0, null);
    }

    /**
     * {@link #predict(DenoiserBatch, float[])} with run options.
     *
     * @param in the batch (not null, unaffected)
     * @param x0 receives the predictions (not null, modified)
     * @param options run options (null for the defaults)
     */
    void predict(DenoiserBatch in, float[] x0, OrtSession.RunOptions options) {
        Validate.nonNull(in, "in");
        if (!in.dims.equals(dims)) {
            throw new IllegalArgumentException("batch dimensions " + in.dims + " are not the pack's " + dims);
        }
        Validate.length(x0, in.batch * in.windowSize(), "x0");
        TensorSlots s = slots(in.batch, () -> {
            TensorSlots t = new TensorSlots(env, file);
            contract.forEach(spec -> t.add(spec, in.batch));
            return t;
        });
        s.floats(X_T).put(0, in.xt);
        s.longs(TIMESTEP).put(0, in.timestep);
        s.floats(PREV_MOTION).put(0, in.prevMotion);
        s.floats(FIRST_WINDOW).put(0, in.firstWindow);
        s.floats(AUDIO_FEATURES).put(0, in.audioFeatures);
        s.floats(AUDIO_MASK).put(0, in.audioMask);
        s.floats(STYLE).put(0, in.style);
        s.floats(STYLE_MASK).put(0, in.styleMask);
        s.floats(SHAPE).put(0, in.shape);
        s.run(session, options);
        s.floats(X0).get(0, x0);
    }
}
