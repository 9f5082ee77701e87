package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.features.AudioEncoder;
import dev.parley.features.LineAudio;
import dev.parley.generation.MotionWindow;
import dev.parley.model.StreamSpec;
import dev.parley.pack.PackManifest;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.testing.CommittedPack;
import dev.parley.testing.Golden;
import dev.parley.testing.TestVoice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streams on the stream model batched across lines (issue 18): windows of several streams that are ready at once
 * share stream-encoder calls (one per encoder length) and stream-denoiser runs, and give each line the motion it
 * gets alone. The committed pack on the real ONNX Runtime.
 */
class StreamLaneTest {

    /** Batched against alone: within the float error of other GEMM shapes, far below the golden bound (1e-4). */
    static final double BATCH_TOLERANCE = 1e-5;
    /** The last PCM sample of a poisoned line's every encoder row (see {@link #poisoned}). */
    static final float POISON = 0.25f;

    /** The committed pack, open while this class's tests run. */
    @RegisterExtension
    static final CommittedPack PACK = new CommittedPack();

    /** A line of the test: its audio, seed, style, steps and the pass of the lane it joins at. */
    private record Spec(String name, float[] pcm, long seed, float[] style, int steps, int joinsAt) {
    }

    /**
     * Four lines that join at different passes, so one pass holds windows of equal encoder length (lines that started
     * together, and lines past their first {@code stream.context} frames) beside windows of other lengths, and
     * denoiser runs hold windows at different steps of different schedules.
     */
    private static List<Spec> lines() {
        PackManifest m = PACK.manifest();
        float[] voice = TestVoice.pcm(3.0, m.sampleRate());
        List<Spec> specs = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            float[] pcm = new float[voice.length - 3000 * k];
            float gain = 1f - 0.2f * k;
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = gain * voice[i + 3000 * k]; // each line its own sound and length
            }
            Random r = new Random(40 + k);
            float[] style = new float[m.styleDim()];
            for (int i = 0; i < style.length; i++) {
                style[i] = (float) r.nextGaussian() * 0.1f;
            }
            specs.add(new Spec("line " + k, pcm, 11L + k, style, new int[] {10, 10, 4, 7}[k],
                    new int[] {0, 0, 3, 30}[k]));
        }
        return specs;
    }

    @Test
    void streamsBatchedTogetherGetTheMotionEachGetsAlone() {
        PackManifest m = PACK.manifest();
        StreamNetworks networks = StreamNetworks.of(PACK.pack());
        List<Spec> specs = lines();
        Map<String, float[]> together = run(new StreamLane(m, networks, schedule()), specs);
        StreamLane aloneLane = new StreamLane(m, networks, schedule());
        double worst = 0;
        for (Spec s : specs) {
            float[] alone = run(aloneLane, List.of(new Spec(s.name(), s.pcm(), s.seed(), s.style(), s.steps(), 0)))
                    .get(s.name());
            float[] batched = together.get(s.name());
            assertEquals(alone.length, batched.length, s.name() + ": frames");
            worst = Math.max(worst, Golden.maxAbsDiff(alone, batched));
        }
        System.out.printf("stream lane: 4 lines batched vs each alone, max |diff| of the kept motion %.3g%n", worst);
        assertTrue(worst <= BATCH_TOLERANCE, "batched motion differs from alone by " + worst);
    }

    /**
     * Two lines that start together and a third 3 windows later, all at 10 steps, so each window takes 10 passes and
     * the lines stay in phase: in each pass the windows of equal encoder length share one call, the others get their
     * own (the third line's context is shorter until it is {@code stream.context} frames in).
     */
    @Test
    void encoderCallsAreSharedByWindowsOfEqualLengthOnly() {
        PackManifest m = PACK.manifest();
        StreamLane lane = new StreamLane(m, StreamNetworks.of(PACK.pack()), schedule());
        List<Spec> specs = new ArrayList<>();
        int[] joins = {0, 0, 30};
        for (int k = 0; k < 3; k++) {
            Spec s = lines().get(k);
            specs.add(new Spec(s.name(), s.pcm(), s.seed(), s.style(), 10, joins[k]));
        }
        run(lane, specs);
        StreamSpec spec = m.stream();
        int expectedCalls = 0;
        int expectedWindows = 0;
        for (int slot = 0; slot < 100; slot++) {
            Set<Integer> lengths = new HashSet<>();
            for (Spec s : specs) {
                long frames = (s.pcm().length + m.samplesPerFrame() - 1) / m.samplesPerFrame();
                long w = slot - s.joinsAt() / 10;
                if (w >= 0 && spec.start(w) < frames) {
                    lengths.add(spec.contextAt(spec.start(w)) + spec.window());
                    expectedWindows++;
                }
            }
            expectedCalls += lengths.size();
        }
        System.out.printf("stream lane: %d windows in %d encoder calls%n", lane.encodedWindows(), lane.encoderCalls());
        assertEquals(expectedWindows, lane.encodedWindows(), "every window of every line encoded once");
        assertEquals(expectedCalls, lane.encoderCalls(), "one call per encoder length per pass");
        assertTrue(expectedCalls < expectedWindows, "windows share calls");
    }

    @Test
    void aLineWhoseEncoderRowThrowsFailsAloneAndTheOthersKeepTheirMotion() {
        PackManifest m = PACK.manifest();
        StreamNetworks real = StreamNetworks.of(PACK.pack());
        AudioEncoder faulty = new AudioEncoder() {
            @Override
            public void encode(float[] pcm, int batch, int samples, float[] features) {
                for (int r = 0; r < batch; r++) {
                    if (pcm[(r + 1) * samples - 1] == POISON) {
                        throw new IllegalStateException("injected encoder fault");
                    }
                }
                real.audioEncoder().encode(pcm, batch, samples, features);
            }
        };
        List<Spec> specs = new ArrayList<>(lines());
        specs.add(1, poisoned());
        Map<String, RuntimeException> failures = new HashMap<>();
        Map<String, float[]> together = run(new StreamLane(m, new StreamNetworks(faulty, real.denoiser()), schedule()),
                specs, failures);
        assertEquals(1, failures.size(), "only the poisoned line fails: " + failures.keySet());
        assertEquals("injected encoder fault", failures.get("poisoned").getMessage());
        Map<String, float[]> clean = run(new StreamLane(m, real, schedule()), lines());
        for (Spec s : lines()) {
            assertNotNull(together.get(s.name()), s.name() + " finished");
            assertTrue(Golden.maxAbsDiff(clean.get(s.name()), together.get(s.name())) <= BATCH_TOLERANCE,
                    s.name() + " keeps its motion beside a failing line");
        }
    }

    /** A line that starts with the first lines and whose every encoder row ends on {@link #POISON}. */
    private static Spec poisoned() {
        PackManifest m = PACK.manifest();
        float[] pcm = TestVoice.pcm(2.0, m.sampleRate());
        for (int i = m.samplesPerFrame() - 1; i < pcm.length; i += m.samplesPerFrame()) {
            pcm[i] = POISON; // every frame's last sample: every window's last
        }
        return new Spec("poisoned", pcm, 99L, new float[m.styleDim()], 10, 0);
    }

    private static Map<String, float[]> run(StreamLane lane, List<Spec> specs) {
        Map<String, RuntimeException> failures = new HashMap<>();
        Map<String, float[]> out = run(lane, specs, failures);
        assertEquals(Map.of(), failures, "no line fails");
        return out;
    }

    /**
     * Drives a lane as the worker does, pass by pass: lines join at their pass; each pass starts the windows of the
     * lines without one ({@link StreamLane#start}) and runs one step of every window in progress in one run.
     *
     * @return each line's kept motion, de-normalised, by name (failed lines left out)
     */
    private static Map<String, float[]> run(StreamLane lane, List<Spec> specs,
            Map<String, RuntimeException> failures) {
        Map<LineJob, List<MotionWindow>> windows = new HashMap<>();
        List<LineJob> active = new ArrayList<>();
        List<LineJob> jobs = new ArrayList<>();
        int joined = 0;
        for (int pass = 0; joined < specs.size() || !active.isEmpty(); pass++) {
            for (Spec s : specs) {
                if (s.joinsAt() == pass) {
                    active.add(job(lane, s));
                    joined++;
                }
            }
            List<LineJob> ready = new ArrayList<>();
            int[] frames = new int[active.size()];
            for (LineJob j : active) {
                if (j.task == null) {
                    int f = j.stream.plan();
                    if (f > 0) {
                        frames[ready.size()] = f;
                        ready.add(j);
                    }
                }
            }
            lane.start(ready, frames, j -> j.steps(), (j, e) -> {
                failures.put(j.name(), e);
                active.remove(j);
            });
            List<SamplingTask> tasks = new ArrayList<>();
            for (LineJob j : active) {
                if (j.task != null) {
                    tasks.add(j.task);
                }
            }
            if (!tasks.isEmpty()) {
                lane.step(tasks);
            }
            for (LineJob j : new ArrayList<>(active)) {
                if (j.task != null && j.task.isDone()) {
                    windows.computeIfAbsent(j, k -> new ArrayList<>()).add(j.stream.finish(j.task));
                    lane.release(j.task);
                    j.task = null;
                }
                if (j.task == null && j.stream.isDone()) {
                    active.remove(j);
                    jobs.add(j);
                }
            }
            assertTrue(pass < 10_000, "the lines end");
        }
        Map<String, float[]> motion = new HashMap<>();
        for (LineJob j : jobs) {
            motion.put(j.name(), concat(windows.get(j)));
        }
        return motion;
    }

    private static LineJob job(StreamLane lane, Spec s) {
        PackManifest m = PACK.manifest();
        LineAudio audio = LineAudio.stream(s.name(), m.sampleRate(), m.sampleRate(), m.samplesPerFrame());
        audio.write(s.pcm(), 0, s.pcm().length);
        audio.finish();
        LineJob j = new LineJob(audio, s.style(), s.steps(), new Guidance(m.audioGuidance(), m.styleGuidance(), 0f),
                s.seed(), false);
        j.stream = lane.generator(j, j.guidance());
        assertSame(audio, j.stream.audio());
        assertNull(j.task);
        return j;
    }

    private static float[] concat(List<MotionWindow> windows) {
        PackManifest m = PACK.manifest();
        int dim = m.motion().dim();
        int frames = 0;
        for (MotionWindow w : windows) {
            assertEquals(frames, w.startFrame(), "windows tile the line");
            frames += w.frames();
        }
        float[] all = new float[frames * dim];
        for (MotionWindow w : windows) {
            System.arraycopy(w.motion(), 0, all, (int) w.startFrame() * dim, w.frames() * dim);
        }
        return all;
    }

    private static float[] schedule() {
        PackManifest m = PACK.manifest();
        float[] ab = new float[m.diffusionSteps()];
        for (int i = 0; i < ab.length; i++) {
            ab[i] = m.alphaCumprod(i);
        }
        return ab;
    }
}
