package dev.parley.features;

/**
 * Turns windows of mono PCM at the pack's rate into audio features at the motion frame rate.
 * Implemented by a pack's {@code audio_encoder.onnx}; called from the inference worker, never
 * concurrently.
 */
public interface AudioEncoder {

    /**
     * Encodes {@code batch} windows of equal length in one call. Each row is normalised on its own,
     * so a row's features do not depend on the other rows.
     *
     * @param pcm the windows, row-major [batch * samples], values in [-1, 1] (not null, unaffected)
     * @param batch the number of windows (&gt;0)
     * @param samples samples per window (a positive multiple of the pack's samples per frame)
     * @param features receives [batch * (samples / samplesPerFrame) * featureDim] (not null, modified)
     */
    void encode(float[] pcm, int batch, int samples, float[] features);
}
