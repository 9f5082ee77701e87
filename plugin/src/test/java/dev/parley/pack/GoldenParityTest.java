package dev.parley.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.sampler.DdimSampler;
import dev.parley.sampler.DenoiserBatch;
import dev.parley.sampler.Guidance;
import dev.parley.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed pack run by the real ONNX Runtime against the PyTorch golden vectors: each graph on
 * its golden inputs, and the Java {@link DdimSampler} driving the ONNX denoiser through whole DDIM runs.
 */
class GoldenParityTest {

    /** Measured ONNX Runtime 1.22 vs PyTorch: graphs and whole runs both under 1e-5 (see docs/runtime.md). */
    static final double NETWORK_TOLERANCE = 1e-4;
    /** The bound for the sampler (tighter than golden.json's 1e-3, and it holds). */
    static final double SAMPLER_TOLERANCE = 1e-4;

    private static ParleyPack pack;
    private static Golden golden;

    @BeforeAll
    static void load() {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        golden = Golden.load();
    }

    @AfterAll
    static void close() {
        pack.close();
    }

    private static void report(String what, double diff, double tolerance) {
        System.out.printf("golden parity: %s max |diff| = %.3g (tolerance %.0e)%n", what, diff, tolerance);
        assertTrue(diff <= tolerance, what + ": max |diff| " + diff + " > " + tolerance);
    }

    @Test
    void audioEncoderMatchesPyTorch() {
        for (JsonNode c : golden.index().get("audioEncoder")) {
            String in = c.get("inputs").get("pcm").asText();
            String out = c.get("outputs").get("audio_features").asText();
            float[] pcm = golden.floats(in);
            float[] expected = golden.floats(out);
            float[] got = new float[expected.length];
            pack.audioEncoder().encode(pcm, 1, pcm.length, got);
            report("audio encoder (" + in + ")", Golden.maxAbsDiff(expected, got), NETWORK_TOLERANCE);
        }
    }

    @Test
    void audioEncoderRowsAreIndependentInABatch() {
        float[] pcm = golden.floats("pcm");
        float[] expected = golden.floats("audio_features");
        float[] two = new float[2 * pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            two[i] = 0.3f * (float) Math.sin(i * 0.05);
            two[pcm.length + i] = pcm[i];
        }
        float[] got = new float[2 * expected.length];
        pack.audioEncoder().encode(two, 2, pcm.length, got);
        float[] second = java.util.Arrays.copyOfRange(got, expected.length, got.length);
        report("audio encoder (pcm as row 2 of 2)", Golden.maxAbsDiff(expected, second), NETWORK_TOLERANCE);
    }

    @Test
    void styleEncoderMatchesPyTorch() {
        for (JsonNode c : golden.index().get("styleEncoder")) {
            float[] motion = golden.floats(c.get("inputs").get("motion").asText());
            float[] expected = golden.floats(c.get("outputs").get("style").asText());
            float[] got = new float[expected.length];
            pack.styleEncoder().encode(motion, 1, got);
            report("style encoder", Golden.maxAbsDiff(expected, got), NETWORK_TOLERANCE);
        }
    }

    @Test
    void denoiserMatchesPyTorch() {
        PackManifest m = pack.manifest();
        for (JsonNode c : golden.index().get("denoiser")) {
            JsonNode in = c.get("inputs");
            int rows = (int) golden.shape(in.get("x_t").asText())[0];
            DenoiserBatch b = new DenoiserBatch(rows, m.windowFrames(), m.previousFrames(), m.motion().dim(),
                    m.audioFeatureDim(), m.styleDim(), m.shapeDim());
            copy(golden.floats(in.get("x_t").asText()), b.xt);
            long[] t = golden.longs(in.get("timestep").asText());
            System.arraycopy(t, 0, b.timestep, 0, t.length);
            copy(golden.floats(in.get("prev_motion").asText()), b.prevMotion);
            copy(golden.floats(in.get("first_window").asText()), b.firstWindow);
            copy(golden.floats(in.get("audio_features").asText()), b.audioFeatures);
            copy(golden.floats(in.get("audio_mask").asText()), b.audioMask);
            copy(golden.floats(in.get("style").asText()), b.style);
            copy(golden.floats(in.get("style_mask").asText()), b.styleMask);
            copy(golden.floats(in.get("shape").asText()), b.shape);
            float[] expected = golden.floats(c.get("outputs").get("x0").asText());
            float[] got = new float[expected.length];
            pack.denoiser().predict(b, got);
            report("denoiser (" + rows + " rows)", Golden.maxAbsDiff(expected, got), NETWORK_TOLERANCE);
            // Reused tensors: a second run on the same buffers gives the same answer.
            float[] again = new float[expected.length];
            pack.denoiser().predict(b, again);
            assertArrayEquals(got, again);
        }
    }

    @Test
    void javaDdimOverTheOnnxDenoiserMatchesPythonDdim() {
        PackManifest m = pack.manifest();
        float[] schedule = new float[m.diffusionSteps()];
        for (int i = 0; i < schedule.length; i++) {
            schedule[i] = m.alphaCumprod(i);
        }
        for (JsonNode run : golden.index().get("ddim")) {
            int steps = run.get("steps").asInt();
            int[] timesteps = new int[steps];
            for (int i = 0; i < steps; i++) {
                timesteps[i] = run.get("timesteps").get(i).asInt();
            }
            assertArrayEquals(timesteps, DdimSampler.timesteps(m.diffusionSteps(), steps));
            JsonNode in = run.get("inputs");
            // Record the first step's branches as the denoiser returns them.
            float[][] firstBranches = new float[1][];
            DdimSampler sampler = new DdimSampler(schedule, (batch, x0) -> {
                pack.denoiser().predict(batch, x0);
                if (firstBranches[0] == null) {
                    firstBranches[0] = x0.clone();
                }
            }, 1, m.windowFrames(), m.previousFrames(), m.motion().dim(), m.audioFeatureDim(), m.styleDim(), m.shapeDim());
            sampler.setConditions(0, golden.floats(in.get("prev_motion").asText()), run.get("firstWindow").asBoolean(),
                    golden.floats(in.get("audio_features").asText()), golden.floats(in.get("style").asText()),
                    golden.floats(in.get("shape").asText()));
            float[] out = new float[m.windowFrames() * m.motion().dim()];
            Guidance guidance = new Guidance((float) run.get("audioScale").asDouble(), (float) run.get("styleScale").asDouble(),
                    (float) run.path("guidanceRescale").asDouble(0.0));
            sampler.sample(golden.floats(in.get("noise").asText()), steps, guidance, out);
            String name = "ddim " + steps + " steps";
            report(name + ", first-step branches", Golden.maxAbsDiff(golden.floats(run.get("firstStepBranches").asText()),
                    firstBranches[0]), NETWORK_TOLERANCE);
            report(name + ", output", Golden.maxAbsDiff(golden.floats(run.get("output").asText()), out), SAMPLER_TOLERANCE);
        }
    }

    private static void copy(float[] from, float[] to) {
        assertTrue(from.length == to.length, "golden length " + from.length + " vs " + to.length);
        System.arraycopy(from, 0, to, 0, from.length);
    }
}
