package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.LineOptions;
import dev.parley.features.LineAudio;
import dev.parley.generation.LineGenerator;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.testing.Golden;
import dev.parley.testing.TestVoice;
import dev.parley.testing.Waits;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Face shape at run time (issue 16): each line's beta is its own row of the denoiser's shape input, on
 * the committed pack and the real ONNX Runtime. The same line on two shapes gives different input and
 * different motion, even sharing one batch; the zero shape gives what the mean-face default gives.
 */
class ShapeConditioningTest {

    /** Two of the demo's villagers (Bram and Ilse, 20 of the 100 components). */
    static final float[] BRAM = beta(0, 1.8f, 3, 1.8f, 5, 1.2f, 11, 1.6f, 18, 1.8f, 6, 0.8f);
    static final float[] ILSE = beta(1, 1.3f, 6, 1.4f, 7, -0.8f, 13, -0.9f, 16, 1.5f, 2, -0.8f);

    private static ParleyPack pack;
    private static PackManifest m;
    private static InferenceService service;
    /** Every denoiser run's shape input, [rows * shapeDim] per run (worker thread writes). */
    private static final List<float[]> shapeInputs = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        m = pack.manifest();
        Denoiser real = pack.denoiser();
        Denoiser recording = (batch, x0) -> {
            shapeInputs.add(Arrays.copyOf(batch.shape, batch.batch * m.shapeDim()));
            real.predict(batch, x0);
        };
        service = InferenceServiceTest.started(m, () -> new Networks(pack.audioEncoder(), recording), "test shape");
    }

    @AfterAll
    static void stop() {
        service.close();
        pack.close();
    }

    static float[] beta(float... pairs) {
        float[] b = new float[20];
        for (int i = 0; i < pairs.length; i += 2) {
            b[(int) pairs[i]] = pairs[i + 1];
        }
        return b;
    }

    private static LineJob job(String character, float[] pcm, float[] shape) {
        LineAudio audio = LineAudio.clip("line", pcm, 16000, m.sampleRate(), m.samplesPerFrame());
        Guidance guidance = LineOptions.DEFAULTS.resolvedGuidance(m, false);
        return shape == null
                ? new LineJob(character, audio, new float[m.styleDim()], 3, guidance, 7, false)
                : new LineJob(character, audio, new float[m.styleDim()], shape, 3, guidance, 7, false);
    }

    private static float[] padded(float[] beta) {
        return Arrays.copyOf(beta, m.shapeDim());
    }

    /** @return whether some denoiser run had a row with each of these shape inputs */
    private static boolean sharedARun(float[] a, float[] b) {
        int d = m.shapeDim();
        for (float[] run : shapeInputs) {
            boolean hasA = false;
            boolean hasB = false;
            for (int r = 0; r < run.length / d; r++) {
                float[] row = Arrays.copyOfRange(run, r * d, (r + 1) * d);
                hasA |= Arrays.equals(row, a);
                hasB |= Arrays.equals(row, b);
            }
            if (hasA && hasB) {
                return true;
            }
        }
        return false;
    }

    private static float[] motion(LineJob job) throws InterruptedException {
        return InferenceServiceTest.concat(InferenceServiceTest.collect(job, 60, m.motion().fps()));
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float max = 0f;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void theTaskCarriesTheLinesShapePaddedToThePacksWidth() {
        LineAudio audio = LineAudio.clip("line", TestVoice.pcm(1, 16000), 16000, m.sampleRate(), m.samplesPerFrame());
        LineGenerator g = new LineGenerator(m, audio, 1, new float[m.styleDim()], BRAM,
                LineOptions.DEFAULTS.resolvedGuidance(m, false));
        SamplingTask task = new SamplingTask(m.dims());
        Arrays.fill(task.shape, 9f); // a reused task: every component is overwritten
        g.begin(task, new float[task.audioFeatures.length], 0, 2);
        assertArrayEquals(padded(BRAM), task.shape);
    }

    @Test
    void theSameLineOnTwoShapesGetsOtherInputAndOtherMotionInOneBatch() throws Exception {
        float[] pcm = TestVoice.pcm(5, 16000);
        LineJob bram = job("Bram", pcm, BRAM);
        LineJob ilse = job("Ilse", pcm, ILSE);
        service.submit(bram);
        service.submit(ilse);
        float[] bramMotion = motion(bram);
        float[] ilseMotion = motion(ilse);
        assertTrue(sharedARun(padded(BRAM), padded(ILSE)), "both shapes were rows of one denoiser run");
        float apart = maxAbsDiff(bramMotion, ilseMotion);
        System.out.printf("shape conditioning: Bram vs Ilse, same line and seed: max |motion diff| = %.4f%n", apart);
        assertTrue(apart > 1e-2, "two shapes gave motion only " + apart + " apart");

        // Bram alone runs in a smaller batch: the same motion up to float rounding.
        LineJob alone = job("Bram alone", pcm, BRAM);
        service.submit(alone);
        assertArrayEquals(bramMotion, motion(alone), 1e-4f);
    }

    @Test
    void theZeroShapeGivesTheMeanFaceDefaultsMotion() throws Exception {
        float[] pcm = TestVoice.pcm(3, 16000);
        LineJob byDefault = job("default", pcm, null);
        LineJob zero = job("zero", pcm, new float[m.shapeDim()]);
        LineJob shaped = job("shaped", pcm, BRAM);
        service.submit(byDefault);
        service.submit(zero);
        service.submit(shaped);
        float[] defaultMotion = motion(byDefault);
        float[] zeroMotion = motion(zero);
        float[] shapedMotion = motion(shaped);
        assertArrayEquals(defaultMotion, zeroMotion);
        assertTrue(maxAbsDiff(defaultMotion, shapedMotion) > 1e-2, "the shaped line differs from the mean face");
    }

    @Test
    void aShapeThatDoesNotSuitThePackFailsItsLineByName() throws Exception {
        float[] tooLong = new float[m.shapeDim() + 1];
        LineJob wide = job("Wide", TestVoice.pcm(1, 16000), tooLong);
        float[] nan = BRAM.clone();
        nan[3] = Float.NaN;
        LineJob broken = job("Broken", TestVoice.pcm(1, 16000), nan);
        service.submit(wide);
        service.submit(broken);
        assertTrue(Waits.until(30, () -> wide.failure() != null && broken.failure() != null), "both lines failed");
        assertEquals("'line': the face shape (beta) has 101 components but pack 'parley-base-v1' is conditioned on"
                + " 100 (" + m.source() + " shape.dim)", wide.failure().getMessage());
        assertEquals("'line': the face shape (beta) component 3 is NaN, expected a finite value",
                broken.failure().getMessage());
        LineAudio audio = LineAudio.clip("line", TestVoice.pcm(1, 16000), 16000, m.sampleRate(), m.samplesPerFrame());
        NullPointerException none = assertThrows(NullPointerException.class, () -> new LineJob("None", audio,
                new float[m.styleDim()], null, 3, new Guidance(1f, 1f, 0f), 7, false));
        assertEquals("shape must not be null", none.getMessage());
    }
}
