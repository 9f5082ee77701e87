package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SpeechClockTest {

    @Test
    void withoutAudioItCountsTimeSteps() {
        SpeechClock c = new SpeechClock();
        c.start(0f);
        for (int i = 0; i < 60; i++) {
            c.update(1 / 60f, Float.NaN);
        }
        assertEquals(1f, c.time(), 1e-5f);
    }

    @Test
    void aStreamStartsBehindByItsDelay() {
        SpeechClock c = new SpeechClock();
        c.start(0.25f);
        assertEquals(-0.25f, c.time());
        c.update(0.25f, Float.NaN);
        assertEquals(0f, c.time(), 1e-6f);
    }

    /**
     * The audio clock runs 3% fast and reports in coarse 20 ms steps with jitter (as OpenAL does): the
     * clock tracks it within a frame or two and never goes backwards.
     */
    @Test
    void followsACoarseJitteryAudioClockSmoothly() {
        SpeechClock c = new SpeechClock();
        c.start(0f);
        Random rnd = new Random(3);
        float prev = 0f;
        float worst = 0f;
        for (int i = 1; i <= 600; i++) {
            float tpf = 1 / 60f;
            float trueAudio = i * tpf * 1.03f;
            float reported = (float) (Math.floor(trueAudio / 0.02) * 0.02) + (float) (rnd.nextGaussian() * 0.003);
            float t = c.update(tpf, reported);
            assertTrue(t >= prev, "never backwards");
            assertTrue(t - prev < 2.5f * tpf, "no jumps: step " + (t - prev));
            prev = t;
            if (i > 60) {
                worst = Math.max(worst, Math.abs(t - trueAudio));
            }
        }
        assertTrue(worst < 0.035f, "tracks the audio within 35 ms: " + worst);
    }

    @Test
    void snapsWhenTheAudioJumps() {
        SpeechClock c = new SpeechClock();
        c.start(0f);
        c.update(0.1f, Float.NaN);
        c.update(0.016f, 2.0f);
        assertEquals(2.0f, c.time(), 1e-6f);
    }
}
