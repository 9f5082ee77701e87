package dev.parley.pack;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.features.AudioEncoder;
import dev.parley.util.Validate;

/**
 * A pack's {@code audio_encoder.onnx} as an {@link AudioEncoder}: {@code pcm} [B, S] to
 * {@code audio_features} [B, S/samplesPerFrame, Da]. Tensors are allocated once per (B, S) and reused.
 * Not thread-safe.
 */
public final class OnnxAudioEncoder extends OnnxGraph implements AudioEncoder {

    private final int samplesPerFrame;
    private final int featureDim;

    /**
     * @param env the environment (not null)
     * @param session the open encoder session (not null; the caller keeps ownership)
     * @param file the graph's file name for messages (not null)
     * @param samplesPerFrame PCM samples per feature frame (&gt;0)
     * @param featureDim Da (&gt;0)
     */
    public OnnxAudioEncoder(OrtEnvironment env, OrtSession session, String file, int samplesPerFrame, int featureDim) {
        super(env, session, file);
        this.samplesPerFrame = Validate.inRange(samplesPerFrame, 1, 1 << 20, "samplesPerFrame");
        this.featureDim = Validate.inRange(featureDim, 1, 1 << 16, "featureDim");
    }

    @Override
    public void encode(float[] pcm, int batch, int samples, float[] features) {
        Validate.inRange(batch, 1, 4096, "batch");
        if (samples <= 0 || samples % samplesPerFrame != 0) {
            throw new IllegalArgumentException("samples must be a positive multiple of " + samplesPerFrame + " but is " + samples);
        }
        int frames = samples / samplesPerFrame;
        Validate.length(pcm, batch * samples, "pcm");
        Validate.length(features, batch * frames * featureDim, "features");
        TensorSlots s = slots(((long) batch << 32) | samples, () -> {
            TensorSlots t = new TensorSlots(env, file);
            t.floatInput("pcm", batch, samples);
            t.floatOutput("audio_features", batch, frames, featureDim);
            return t;
        });
        s.floats("pcm").put(0, pcm);
        s.run(session);
        s.floats("audio_features").get(0, features);
    }
}
