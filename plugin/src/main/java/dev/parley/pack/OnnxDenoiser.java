package dev.parley.pack;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.DenoiserBatch;
import dev.parley.util.Validate;

/**
 * A pack's {@code denoiser.onnx} as a {@link Denoiser}. The nine input tensors and the output are
 * allocated once per batch size over direct buffers and reused for every step: a run copies the
 * batch's arrays in and the prediction out, and allocates nothing. {@link #close()} closes every tensor.
 * Not thread-safe; the session is owned by the caller.
 */
public final class OnnxDenoiser extends OnnxGraph implements Denoiser {

    /**
     * @param env the ONNX Runtime environment (not null)
     * @param session an open denoiser session (not null; the caller closes it)
     * @param file the graph's file name for messages (not null)
     */
    public OnnxDenoiser(OrtEnvironment env, OrtSession session, String file) {
        super(env, session, file);
    }

    @Override
    public void predict(DenoiserBatch in, float[] x0) {
        Validate.nonNull(in, "in");
        Validate.length(x0, in.batch * in.windowSize(), "x0");
        long b = in.batch;
        TensorSlots s = slots(in.batch, () -> {
            TensorSlots t = new TensorSlots(env, file);
            t.floatInput("x_t", b, in.frames, in.motionDim);
            t.longInput("timestep", b);
            t.floatInput("prev_motion", b, in.previousFrames, in.motionDim);
            t.floatInput("first_window", b);
            t.floatInput("audio_features", b, in.frames, in.audioDim);
            t.floatInput("audio_mask", b);
            t.floatInput("style", b, in.styleDim);
            t.floatInput("style_mask", b);
            t.floatInput("shape", b, in.shapeDim);
            t.floatOutput("x0", b, in.frames, in.motionDim);
            return t;
        });
        s.floats("x_t").put(0, in.xt);
        s.longs("timestep").put(0, in.timestep);
        s.floats("prev_motion").put(0, in.prevMotion);
        s.floats("first_window").put(0, in.firstWindow);
        s.floats("audio_features").put(0, in.audioFeatures);
        s.floats("audio_mask").put(0, in.audioMask);
        s.floats("style").put(0, in.style);
        s.floats("style_mask").put(0, in.styleMask);
        s.floats("shape").put(0, in.shape);
        s.run(session);
        s.floats("x0").get(0, x0);
    }
}
