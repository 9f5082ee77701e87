package dev.parley.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.model.ModelDims;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DDIM arithmetic and the production stepper over denoisers whose answers are known. */
class BatchStepperTest {

    /** Tw 4, Tp 2, M 3, Da 5, Ds 2, shape 1: small enough to reason about. */
    static final ModelDims DIMS = new ModelDims(100, 4, 5, 4, 2, 3, 2, 4, 1);

    /** The cosine schedule of the packs (Nichol and Dhariwal), for tests that need a realistic one. */
    static float[] cosineSchedule(int n) {
        float[] ab = new float[n];
        double s = 0.008;
        double f0 = Math.pow(Math.cos(s / (1 + s) * Math.PI / 2), 2);
        for (int t = 0; t < n; t++) {
            double f = Math.pow(Math.cos(((t + 1.0) / n + s) / (1 + s) * Math.PI / 2), 2);
            ab[t] = (float) Math.max(f / f0, 1e-5);
        }
        return ab;
    }

    @Test
    void timestepsFollowTheContract() {
        assertArrayEquals(new int[] {499, 449, 399, 349, 299, 249, 199, 149, 99, 49}, Ddim.timesteps(500, 10));
        assertArrayEquals(new int[] {499}, Ddim.timesteps(500, 1));
        assertEquals(500, Ddim.timesteps(500, 500).length);
        assertEquals(0, Ddim.timesteps(500, 500)[499]);
    }

    /** A denoiser that is certain: each branch predicts its own constant. */
    private static Denoiser constants(float none, float audio, float both) {
        return (in, x0) -> {
            int w = in.windowSize();
            for (int row = 0; row < in.batch; row++) {
                float v = in.audioMask[row] == 0f ? none : in.styleMask[row] == 0f ? audio : both;
                Arrays.fill(x0, row * w, (row + 1) * w, v);
            }
        };
    }

    /** A task of {@link #DIMS} with its x_T drawn from a seed, begun on a schedule of 500. */
    private static SamplingTask task(long seed, boolean firstWindow, Guidance guidance, int steps) {
        SamplingTask t = new SamplingTask(DIMS);
        Ddim.gaussianNoise(t.x, seed);
        t.begin(Ddim.timesteps(500, steps), firstWindow, guidance);
        return t;
    }

    private static void runToEnd(BatchStepper stepper, List<SamplingTask> tasks) {
        List<SamplingTask> going = new ArrayList<>(tasks);
        while (!going.isEmpty()) {
            stepper.step(going);
            going.removeIf(SamplingTask::isDone);
        }
    }

    @Test
    void foldedTasksRunOneRowOnTheDistilledDenoiserBesideGuidedOnes() {
        List<Integer> teacherRows = new ArrayList<>();
        List<String> studentMasks = new ArrayList<>();
        Denoiser teacher = (in, x0) -> {
            teacherRows.add(in.batch);
            constants(1f, 3f, 4f).predict(in, x0);
        };
        Denoiser student = (in, x0) -> {
            for (int row = 0; row < in.batch; row++) {
                studentMasks.add(in.audioMask[row] + "/" + in.styleMask[row]);
            }
            Arrays.fill(x0, 0, in.batch * in.windowSize(), 9f);
        };
        BatchStepper s = new BatchStepper(cosineSchedule(500), teacher, student, DIMS);
        SamplingTask guided = task(7, true, new Guidance(2f, 0.5f, 0f), 4);
        SamplingTask folded = task(8, false, Guidance.folded(1.5f, 1.5f), 2);
        assertEquals(4, BatchStepper.rows(List.of(guided, folded)));
        runToEnd(s, List.of(guided, folded));
        // The teacher saw only the guided task's 3 rows, 4 times; the student one row per step, audio and
        // style on; each task lands on its own network's x0.
        assertEquals(List.of(3, 3, 3, 3), teacherRows);
        assertEquals(List.of("1.0/1.0", "1.0/1.0"), studentMasks);
        for (int i = 0; i < guided.x.length; i++) {
            assertEquals(5.5f, guided.x[i], 1e-4f);
            assertEquals(9f, folded.x[i], 1e-4f);
        }
    }

    @Test
    void aFoldedTaskWithoutADistilledDenoiserIsRefusedBeforeAnyTaskAdvances() {
        BatchStepper s = new BatchStepper(cosineSchedule(500), constants(1f, 3f, 4f), DIMS);
        SamplingTask guided = task(7, true, Guidance.NONE, 4);
        SamplingTask folded = task(8, false, Guidance.folded(1.5f, 1.5f), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.step(List.of(guided, folded)));
        assertEquals("a task is folded (distilled sampler) but the pack has no distilled denoiser", e.getMessage());
        assertEquals(0, guided.stepsDone());
        assertThrows(IllegalArgumentException.class, () -> new Guidance(1f, 1f, 0.5f, true));
    }

    @Test
    void incrementalGuidanceCombinesTheThreeBranches() {
        BatchStepper s = new BatchStepper(cosineSchedule(500), constants(1f, 3f, 4f), DIMS);
        Guidance g = new Guidance(2f, 0.5f, 0f);
        List<SamplingTask> tasks = List.of(task(7, true, g, 10), task(8, false, g, 4));
        runToEnd(s, tasks);
        // x0 = 1 + 2 (3 - 1) + 0.5 (4 - 3) = 5.5, and the last DDIM step lands exactly on x0.
        for (SamplingTask t : tasks) {
            for (float v : t.x) {
                assertEquals(5.5f, v, 1e-4f);
            }
        }
    }

    @Test
    void guidanceRescaleKeepsTheMeanAndTakesTheConditionalSpread() {
        int frames = 5;
        int dim = 2;
        int w = frames * dim;
        float[] branches = new float[3 * w];
        for (int f = 0; f < frames; f++) {
            for (int j = 0; j < dim; j++) {
                branches[f * dim + j] = 0.1f * f;               // no audio, no style
                branches[w + f * dim + j] = 0.5f * f + j;       // audio
                branches[2 * w + f * dim + j] = 0.4f * f + j;   // audio and style
            }
        }
        float[] plain = new float[w];
        Ddim.guide(branches, 0, w, new Guidance(2f, 1.5f, 0f), dim, plain, 0);
        float[] full = new float[w];
        Ddim.guide(branches, 0, w, new Guidance(2f, 1.5f, 1f), dim, full, 0);
        float[] half = new float[w];
        Ddim.guide(branches, 0, w, new Guidance(2f, 1.5f, 0.5f), dim, half, 0);
        for (int j = 0; j < dim; j++) {
            // Plain slope: 0.1 + 2 (0.5 - 0.1) + 1.5 (0.4 - 0.5) = 0.75 per frame; the conditional's 0.4.
            assertEquals(mean(plain, j, frames, dim), mean(full, j, frames, dim), 1e-5);
            assertEquals(0.4f, full[dim + j] - full[j], 1e-5f);
            assertEquals(0.5f * 0.4f + 0.5f * 0.75f, half[dim + j] - half[j], 1e-5f);
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Guidance(2f, 1.5f, 1.5f));
    }

    private static double mean(float[] a, int channel, int frames, int dim) {
        double s = 0;
        for (int f = 0; f < frames; f++) {
            s += a[f * dim + channel];
        }
        return s / frames;
    }

    @Test
    void samplingIsDeterministicForASeedWhateverElseIsInTheBatch() {
        Denoiser shrink = (in, x0) -> {
            for (int i = 0; i < x0.length; i++) {
                x0[i] = 0.5f * in.xt[i] + 0.1f * in.audioMask[i / in.windowSize()];
            }
        };
        float[] a = run(shrink, 123, null);
        float[] b = run(shrink, 123, task(99, true, Guidance.NONE, 3));
        float[] c = run(shrink, 124, null);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    private static float[] run(Denoiser d, long seed, SamplingTask other) {
        BatchStepper s = new BatchStepper(cosineSchedule(500), d, DIMS);
        SamplingTask t = task(seed, true, new Guidance(1.5f, 1.5f, 0f), 5);
        runToEnd(s, other == null ? List.of(t) : List.of(other, t));
        return t.x;
    }

    @Test
    void branchesCarryTheirMasksAndConditions() {
        DenoiserBatch[] seen = new DenoiserBatch[1];
        BatchStepper s = new BatchStepper(cosineSchedule(50), (in, x0) -> seen[0] = in, DIMS);
        SamplingTask t = new SamplingTask(DIMS);
        t.begin(Ddim.timesteps(50, 1), false, Guidance.NONE);
        Arrays.fill(t.prevMotion, 0.7f);
        for (int i = 0; i < t.audioFeatures.length; i++) {
            t.audioFeatures[i] = 0.1f * i;
        }
        t.style[1] = 0.9f;
        t.shape[0] = -1f;
        s.step(List.of(t));
        DenoiserBatch b = seen[0];
        assertArrayEquals(new float[] {0, 1, 1}, b.audioMask);
        assertArrayEquals(new float[] {0, 0, 1}, b.styleMask);
        assertArrayEquals(new float[] {0, 0, 0}, b.firstWindow);
        assertArrayEquals(new long[] {49, 49, 49}, b.timestep);
        for (int row = 0; row < 3; row++) {
            assertArrayEquals(t.audioFeatures, Arrays.copyOfRange(b.audioFeatures, row * 20, row * 20 + 20));
            assertArrayEquals(t.prevMotion, Arrays.copyOfRange(b.prevMotion, row * 6, row * 6 + 6));
            assertArrayEquals(new float[] {0f, 0.9f}, Arrays.copyOfRange(b.style, row * 2, row * 2 + 2));
            assertEquals(-1f, b.shape[row]);
        }
        assertTrue(t.isDone());
    }

    @Test
    void aTaskOfOtherDimensionsIsRefused() {
        BatchStepper s = new BatchStepper(cosineSchedule(50), constants(0, 0, 0), DIMS);
        SamplingTask other = new SamplingTask(new ModelDims(100, 4, 5, 4, 2, 3, 2, 4, 2));
        other.begin(new int[] {10}, true, Guidance.NONE);
        assertThrows(IllegalArgumentException.class, () -> s.step(List.of(other)));
    }

    @Test
    void tasksOfOwnNetworksRunOnePassPerNetworkAndGetWhatTheyGetAlone() {
        Guidance g = new Guidance(1.5f, 1.5f, 0f);
        Map<String, List<Integer>> runs = new HashMap<>();
        Denoiser plain = recording(runs, "plain", constants(0.1f, 0.2f, 0.3f));
        Denoiser a = recording(runs, "a", constants(-0.5f, 0.4f, 0.9f));
        Denoiser b = recording(runs, "b", constants(0.7f, -0.2f, 0.05f));
        Denoiser[] nets = {null, a, plain, b, a, null};
        List<SamplingTask> mixed = new ArrayList<>();
        for (int i = 0; i < nets.length; i++) {
            SamplingTask t = task(i, i % 2 == 0, g, 4);
            t.setDenoiser(nets[i]);
            mixed.add(t);
        }
        BatchStepper stepper = new BatchStepper(cosineSchedule(500), plain, DIMS);
        runToEnd(stepper, mixed);
        assertEquals(List.of(9, 9, 9, 9), runs.get("plain"), "three plain tasks, one run a step");
        assertEquals(List.of(6, 6, 6, 6), runs.get("a"), "adapter a's two tasks, one run a step");
        assertEquals(List.of(3, 3, 3, 3), runs.get("b"));
        for (int i = 0; i < nets.length; i++) {
            SamplingTask alone = task(i, i % 2 == 0, g, 4);
            alone.setDenoiser(nets[i]);
            runToEnd(stepper, List.of(alone));
            assertArrayEquals(alone.x, mixed.get(i).x, "task " + i + " mixed vs alone");
        }
        SamplingTask folded = task(9, true, Guidance.folded(1.5f, 1.5f), 2);
        folded.setDenoiser(a);
        BatchStepper withStudent = new BatchStepper(cosineSchedule(500), plain, plain, DIMS);
        assertThrows(IllegalArgumentException.class, () -> withStudent.step(List.of(folded)),
                "an adapted task is never folded");
    }

    private static Denoiser recording(Map<String, List<Integer>> runs, String name, Denoiser net) {
        return (in, x0) -> {
            runs.computeIfAbsent(name, k -> new ArrayList<>()).add(in.batch);
            net.predict(in, x0);
        };
    }
}
