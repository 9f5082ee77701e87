package dev.parley.pack;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.DenoiserBatch;
import dev.parley.util.Validate;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A pack's {@code denoiser.onnx} as a {@link Denoiser}. Input tensors wrap the batch's arrays for
 * the duration of one run and are closed right after it, as is the result; nothing native outlives
 * {@link #predict}. Not thread-safe; the session is owned by the caller.
 */
public final class OnnxDenoiser implements Denoiser {

    private final OrtEnvironment env;
    private final OrtSession session;

    /**
     * @param env the ONNX Runtime environment (not null)
     * @param session an open denoiser session (not null; the caller closes it)
     */
    public OnnxDenoiser(OrtEnvironment env, OrtSession session) {
        this.env = Validate.nonNull(env, "env");
        this.session = Validate.nonNull(session, "session");
    }

    @Override
    public void predict(DenoiserBatch in, float[] x0) {
        Validate.length(x0, in.batch * in.windowSize(), "x0");
        long b = in.batch;
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("x_t", floats(in.xt, b, in.frames, in.motionDim));
            inputs.put("timestep", OnnxTensor.createTensor(env, LongBuffer.wrap(in.timestep), new long[] {b}));
            inputs.put("prev_motion", floats(in.prevMotion, b, in.previousFrames, in.motionDim));
            inputs.put("first_window", floats(in.firstWindow, b));
            inputs.put("audio_features", floats(in.audioFeatures, b, in.frames, in.audioDim));
            inputs.put("audio_mask", floats(in.audioMask, b));
            inputs.put("style", floats(in.style, b, in.styleDim));
            inputs.put("style_mask", floats(in.styleMask, b));
            inputs.put("shape", floats(in.shape, b, in.shapeDim));
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                FloatBuffer fb = out.getFloatBuffer();
                if (fb.remaining() != x0.length) {
                    throw new IllegalStateException("denoiser returned " + fb.remaining() + " values, expected " + x0.length);
                }
                fb.get(x0);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("denoiser run failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor floats(float[] data, long... shape) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
    }
}
