package dev.parley.pack;

import static dev.parley.pack.TensorSpec.ANY;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.features.AudioEncoder;
import dev.parley.features.SilenceGate;
import dev.parley.model.ModelDims;
import dev.parley.util.Validate;
import java.util.List;

/**
 * A pack's {@code audio_encoder.onnx} as an {@link AudioEncoder}: {@code pcm} [B, S] to
 * {@code audio_features} [B, S/samplesPerFrame, Da], each window first through the pack's
 * {@link SilenceGate} where the manifest declares one. Tensors are allocated once per (B, S) and reused.
 * Not thread-safe.
 */
public final class OnnxAudioEncoder extends OnnxGraph implements AudioEncoder {

    /** The input: mono PCM at the pack's rate [B, S]. */
    static final String PCM = "pcm";
    /** The output: features at the motion frame rate [B, S / samplesPerFrame, Da]. */
    static final String FEATURES = "audio_features";

    private final SilenceGate gate;
    private float[] gated = new float[0]; // the gated windows, reused

    /** Wraps an open session of the graph (see {@link OnnxGraph}: the pack keeps the session). */
    OnnxAudioEncoder(OrtEnvironment env, OrtSession session, String file, ModelDims dims, SilenceGate gate) {
        super(env, session, file, dims, contract(dims));
        this.gate = gate;
    }

    /** @return the gate applied to every window before the graph (the manifest's), or null for none */
    public SilenceGate silenceGate() {
        return gate;
    }

    /** @return the graph's inputs and outputs as this wrapper calls them (not null) */
    static List<TensorSpec> contract(ModelDims dims) {
        return List.of(TensorSpec.floatInput(PCM, null, ANY, ANY),
                TensorSpec.floatOutput(FEATURES, "audio.featureDim", ANY, ANY, dims.audioDim()));
    }

    @Override
    public void encode(float[] pcm, int batch, int samples, float[] features) {
        Validate.inRange(batch, 1, 4096, "batch");
        int spf = dims.samplesPerFrame();
        if (samples <= 0 || samples % spf != 0) {
            throw new IllegalArgumentException("samples must be a positive multiple of " + spf + " but is " + samples);
        }
        int frames = samples / spf;
        Validate.length(pcm, batch * samples, "pcm");
        Validate.length(features, batch * frames * dims.audioDim(), "features");
        TensorSlots s = slots(((long) batch << 32) | samples, () -> {
            TensorSlots t = new TensorSlots(env, file);
            t.add(contract.get(0), batch, samples);
            t.add(contract.get(1), batch, frames);
            return t;
        });
        if (gate == null) {
            s.floats(PCM).put(0, pcm);
        } else {
            if (gated.length < batch * samples) {
                gated = new float[batch * samples];
            }
            gate.apply(pcm, batch, samples, gated);
            s.floats(PCM).put(0, gated, 0, batch * samples);
        }
        s.run(session, null);
        s.floats(FEATURES).get(0, features);
    }
}
