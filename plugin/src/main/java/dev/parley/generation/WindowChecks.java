package dev.parley.generation;

import dev.parley.audio.AudioInputException;
import dev.parley.features.LineAudio;
import dev.parley.pack.PackManifest;

/**
 * What every window of a line goes through, whichever generator cut it: finite audio features in, finite
 * motion out, de-normalised with the manifest's mean and std, and a line that is not empty or silent. The
 * messages name the line, the window, the frame and the value.
 */
final class WindowChecks {

    private boolean checkedAudible;

    /**
     * Copies a window's audio features into the task's input, checking that they are finite.
     *
     * @param name the line's name (not null)
     * @param window the window index
     * @param features the encoder's output (not null, unaffected)
     * @param offset where the window's features start in {@code features}
     * @param into receives them (not null, modified: its whole length)
     * @param audioDim Da, values per feature frame
     * @throws NonFiniteMotionException at the first NaN or infinity
     */
    static void copyFeatures(String name, int window, float[] features, int offset, float[] into, int audioDim) {
        for (int i = 0; i < into.length; i++) {
            float v = features[offset + i];
            if (!Float.isFinite(v)) {
                throw new NonFiniteMotionException("'" + name + "': audio encoder produced " + v + " at window "
                        + window + ", frame " + i / audioDim + ", value " + i % audioDim);
            }
            into[i] = v;
        }
    }

    /**
     * Checks a window's first {@code n} sampled frames and de-normalises them.
     *
     * @param manifest the pack's manifest: mean and std (not null)
     * @param name the line's name (not null)
     * @param window the window index
     * @param x the clean normalised motion, frame-major (not null, unaffected)
     * @param n frames to take (&gt;0)
     * @return the de-normalised frames (a new array, n * M long)
     * @throws NonFiniteMotionException if the denoiser produced NaN or infinity, or de-normalising overflowed
     */
    static float[] denormalise(PackManifest manifest, String name, int window, float[] x, int n) {
        int dim = manifest.motion().dim();
        for (int i = 0; i < n * dim; i++) {
            if (!Float.isFinite(x[i])) {
                throw new NonFiniteMotionException("'" + name + "': denoiser produced " + x[i] + " at window "
                        + window + ", frame " + i / dim + ", value " + i % dim);
            }
        }
        float[] mean = manifest.motionMean();
        float[] std = manifest.motionStd();
        float[] motion = new float[n * dim];
        for (int i = 0; i < motion.length; i++) {
            int k = i % dim;
            motion[i] = x[i] * std[k] + mean[k];
            if (!Float.isFinite(motion[i])) {
                throw new NonFiniteMotionException("'" + name + "': de-normalised motion is " + motion[i]
                        + " at window " + window + ", frame " + i / dim + ", value " + k + " (denoiser " + x[i]
                        + " * " + manifest.source() + " motion.std[" + k + "] " + std[k] + " + motion.mean[" + k + "] "
                        + mean[k] + ")");
            }
        }
        return motion;
    }

    /**
     * Fails a line that is empty, or silent once its peak is known (checked until it is known, then never).
     *
     * @param audio the line's audio (not null)
     * @param name the line's name (not null)
     * @throws AudioInputException naming the line
     */
    void checkAudible(LineAudio audio, String name) {
        if (checkedAudible) {
            return;
        }
        if (audio.totalSamples() == 0) {
            throw new AudioInputException(name, "is empty (zero samples)");
        }
        float peak = audio.knownPeak();
        if (peak < 0f) {
            return; // known once the line is complete
        }
        checkedAudible = true;
        if (peak < LineAudio.SILENCE_PEAK) {
            throw new AudioInputException(name,
                    String.format("is silent (peak %.1f dBFS, below %.0f dBFS): nothing to animate",
                    20 * Math.log10(Math.max(peak, 1e-12)), 20 * Math.log10(LineAudio.SILENCE_PEAK)));
        }
    }
}
