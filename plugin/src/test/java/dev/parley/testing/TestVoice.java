package dev.parley.testing;

/** Synthetic dialogue audio: a voiced buzz with formant-like partials and syllables at 4 Hz. */
public final class TestVoice {

    private TestVoice() {
    }

    /**
     * @param seconds the duration
     * @param rate the sample rate
     * @return mono samples in [-1, 1]
     */
    public static float[] pcm(double seconds, int rate) {
        float[] s = new float[(int) Math.round(seconds * rate)];
        double phase = 0;
        for (int i = 0; i < s.length; i++) {
            double t = (double) i / rate;
            double f0 = 120 + 20 * Math.sin(2 * Math.PI * 0.7 * t);
            phase += 2 * Math.PI * f0 / rate;
            double syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t));
            double v = 0;
            for (int h = 1; h <= 12; h++) {
                double formant = Math.exp(-Math.pow((h * f0 - 700) / 400, 2))
                        + 0.5 * Math.exp(-Math.pow((h * f0 - 1200) / 500, 2));
                v += formant * Math.sin(h * phase) / h;
            }
            s[i] = (float) (0.5 * syllable * v);
        }
        return s;
    }
}
