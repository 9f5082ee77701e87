package dev.parley.pack;

import static dev.parley.pack.TensorSpec.ANY;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.parley.model.ModelDims;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * A pack's {@code audio_memory.onnx} (pack 1.4.0 on): a window's {@code audio_features} [B, Tw, Da] and
 * {@code audio_mask} [B] to {@code audio_memory} [B, layers, 3, Tw, width], all of the denoiser's work on
 * the audio, which no diffusion step changes. {@link OnnxDenoiser} runs it once per window and row
 * condition, and once per pack for the null audio row. Tensors are allocated once per batch size and
 * reused. Not thread-safe: used by its denoiser only.
 */
final class OnnxAudioMemory extends OnnxGraph {

    /** Audio features [B, Tw, Da]. */
    static final String AUDIO_FEATURES = "audio_features";
    /** 1 where the audio condition is on, 0 for the null audio [B]. */
    static final String AUDIO_MASK = "audio_mask";
    /** Per layer the cross-attention's keys, values and projected values [B, layers, 3, Tw, width]. */
    static final String AUDIO_MEMORY = "audio_memory";

    /** Wraps an open session of the graph (see {@link OnnxGraph}: the pack keeps the session). */
    OnnxAudioMemory(OrtEnvironment env, OrtSession session, String file, ModelDims dims) {
        super(env, session, file, dims, contract(dims));
    }

    /**
     * @param d the model's dimensions, with an audio memory (not null)
     * @return the graph's inputs and outputs as this wrapper calls them (not null)
     */
    static List<TensorSpec> contract(ModelDims d) {
        ModelDims.Memory m = d.memory();
        return List.of(
                TensorSpec.floatInput(AUDIO_FEATURES, "window.current / audio.featureDim", ANY, d.windowFrames(),
                        d.audioDim()),
                TensorSpec.floatInput(AUDIO_MASK, null, ANY),
                TensorSpec.floatOutput(AUDIO_MEMORY, "audioMemory.layers / window.current / audioMemory.width", ANY,
                        m.layers(), 3, d.windowFrames(), m.width()));
    }

    /**
     * The input slots for {@code rows} rows: write each row's features and mask, then {@link #run}.
     *
     * @param rows the batch size (&ge;1)
     * @return the slots (owned by this wrapper: valid until the next call with another batch size)
     */
    TensorSlots slots(int rows) {
        return slots(rows, () -> {
            TensorSlots t = new TensorSlots(env, file);
            contract.forEach(spec -> t.add(spec, rows));
            return t;
        });
    }

    /**
     * Runs the graph on what the slots hold.
     *
     * @param s slots from {@link #slots(int)} (not null)
     * @return the memory of every row, row after row (the slots' own buffer: read it before the next run)
     */
    FloatBuffer run(TensorSlots s) {
        s.run(session, null);
        return s.floats(AUDIO_MEMORY);
    }
}
