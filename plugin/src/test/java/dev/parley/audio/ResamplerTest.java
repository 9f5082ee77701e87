package dev.parley.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResamplerTest {

    static float[] sine(double freq, int rate, double seconds, double amplitude) {
        float[] s = new float[(int) (rate * seconds)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (amplitude * Math.sin(2 * Math.PI * freq * i / rate));
        }
        return s;
    }

    /** RMS of (got - ideal sine) over the interior, away from the edges where the kernel runs out. */
    static double rmsError(float[] got, double freq, int rate, double amplitude) {
        int margin = rate / 20;
        double sum = 0;
        int n = 0;
        for (int i = margin; i < got.length - margin; i++) {
            double e = got[i] - amplitude * Math.sin(2 * Math.PI * freq * i / rate);
            sum += e * e;
            n++;
        }
        return Math.sqrt(sum / n);
    }

    static double rms(float[] x, int margin) {
        double sum = 0;
        for (int i = margin; i < x.length - margin; i++) {
            sum += x[i] * x[i];
        }
        return Math.sqrt(sum / (x.length - 2 * margin));
    }

    @ParameterizedTest
    @CsvSource({"44100, 16000, 1000", "48000, 16000, 3000", "22050, 16000, 440", "8000, 16000, 1000",
            "16000, 16000, 500"})
    void sineSurvivesResamplingAccurately(int inRate, int outRate, double freq) {
        float[] out = new Resampler(inRate, outRate).process(sine(freq, inRate, 1.0, 0.5));
        assertEquals(outRate, out.length, 1);
        double err = rmsError(out, freq, outRate, 0.5);
        assertTrue(err < 2e-3, inRate + "->" + outRate + " at " + freq + " Hz: RMS error " + err);
    }

    @Test
    void contentAboveTheNewNyquistIsRemovedNotAliased() {
        // 11 kHz cannot exist at 16 kHz; naive decimation would fold it to 5 kHz at full level.
        float[] out = new Resampler(44100, 16000).process(sine(11000, 44100, 1.0, 0.5));
        double level = rms(out, 800) / (0.5 / Math.sqrt(2));
        assertTrue(level < 1e-3, "alias level " + (20 * Math.log10(level)) + " dB");
    }
}
