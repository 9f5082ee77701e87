package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.LineOptions;
import dev.parley.audio.PcmReader;
import dev.parley.features.LineAudio;
import dev.parley.generation.MotionWindow;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplerKind;
import dev.parley.testing.Golden;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestVoice;
import dev.parley.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The service alone (no jME), on the committed pack and the real ONNX Runtime. */
class InferenceServiceTest {

    static ParleyPack pack;
    static InferenceService service;
    static PackManifest m;

    @BeforeAll
    static void start() throws InterruptedException {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        m = pack.manifest();
        service = new InferenceService(m, () -> Networks.of(pack), ServiceSettings.defaults(), "test inference");
        service.start();
        long end = System.nanoTime() + 30_000_000_000L;
        while (!service.isReady() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertTrue(service.isReady());
    }

    @AfterAll
    static void stop() {
        service.close();
        pack.close();
    }

    /** A line on the guided DDIM with these steps (whatever the pack's default sampler). */
    static LineJob job(String name, float[] pcm, int rate, int steps, long seed) {
        return new LineJob(LineAudio.clip(name, pcm, rate, m.sampleRate(), m.samplesPerFrame()),
                new float[m.styleDim()],
                steps, LineOptions.DEFAULTS.withSampler(SamplerKind.DDIM).resolvedGuidance(m, true), seed, false);
    }

    /**
     * @param m the pack's manifest (not null)
     * @param open opens the networks (not null)
     * @param name the worker's name (not null)
     * @return a started service with default settings, ready
     */
    static InferenceService started(PackManifest m, Callable<Networks> open, String name) throws Exception {
        InferenceService s = new InferenceService(m, open, ServiceSettings.defaults(), name);
        s.start();
        assertTrue(Waits.until(30, s::isReady), "service ready");
        return s;
    }

    /** Collects a job's windows, moving its playhead along as if it played instantly. */
    static List<MotionWindow> collect(LineJob job, double seconds) throws InterruptedException {
        return collect(job, seconds, m.motion().fps());
    }

    /** {@link #collect(LineJob, double)} for a service on a pack of {@code fps} motion frames a second. */
    static List<MotionWindow> collect(LineJob job, double seconds, int fps) throws InterruptedException {
        List<MotionWindow> out = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (MotionWindow w; (w = job.pollWindow()) != null;) {
                out.add(w);
                job.setPlayhead((w.startFrame() + w.frames()) / (float) fps, true);
            }
            if (job.isGenerationDone() && job.failure() == null) {
                for (MotionWindow w; (w = job.pollWindow()) != null;) {
                    out.add(w);
                }
                return out;
            }
            if (job.failure() != null) {
                throw new AssertionError(job.failure());
            }
            Thread.sleep(2);
        }
        throw new AssertionError("timed out with " + out.size() + " windows");
    }

    static float[] concat(List<MotionWindow> windows) {
        int n = 0;
        for (MotionWindow w : windows) {
            n += w.motion().length;
        }
        float[] all = new float[n];
        int at = 0;
        for (MotionWindow w : windows) {
            System.arraycopy(w.motion(), 0, all, at, w.motion().length);
            at += w.motion().length;
        }
        return all;
    }

    @Test
    void windowsTileTheLineAndDropFramesPastTheEnd() throws InterruptedException {
        // 9.3 s at 22.05 kHz: 9.3 * 25 = 232.5 -> 233 frames: windows of 100, 100, 33.
        LineJob j = job("tiling", TestVoice.pcm(9.3, 22050), 22050, 2, 5);
        service.submit(j);
        List<MotionWindow> w = collect(j, 30);
        assertEquals(3, w.size());
        assertEquals(List.of(0L, 100L, 200L), w.stream().map(MotionWindow::startFrame).toList());
        assertEquals(List.of(100, 100, 33), w.stream().map(MotionWindow::frames).toList());
        assertEquals(33 * m.motion().dim(), w.get(2).motion().length);
    }

    @Test
    void sameSeedSameMotionOtherSeedOtherMotion() throws InterruptedException {
        float[] pcm = TestVoice.pcm(5, 16000);
        LineJob a = job("a", pcm, 16000, 3, 42);
        service.submit(a);
        float[] first = concat(collect(a, 30));
        LineJob b = job("b", pcm, 16000, 3, 42);
        service.submit(b);
        float[] second = concat(collect(b, 30));
        LineJob c = job("c", pcm, 16000, 3, 43);
        service.submit(c);
        float[] third = concat(collect(c, 30));
        assertArrayEquals(first, second);
        assertFalse(java.util.Arrays.equals(first, third));
    }

    @Test
    void eachLineKeepsItsOwnGuidanceInASharedBatch() throws InterruptedException {
        float[] pcm = TestVoice.pcm(3.9, 16000);
        LineJob plain = guided("plain", pcm, new Guidance(1.5f, 1.5f, 0f));
        LineJob calm = guided("calm", pcm, new Guidance(1.5f, 1.5f, 1f));
        service.submit(plain);
        service.submit(calm);
        float[] plainMotion = concat(collect(plain, 30));
        float[] calmMotion = concat(collect(calm, 30));
        LineJob alone = guided("calm alone", pcm, new Guidance(1.5f, 1.5f, 1f));
        service.submit(alone);
        // Alone it runs in a smaller batch: the same up to float rounding, far from plain guidance.
        assertArrayEquals(calmMotion, concat(collect(alone, 30)), 1e-4f);
        double apart = 0;
        for (int i = 0; i < calmMotion.length; i++) {
            apart = Math.max(apart, Math.abs(calmMotion[i] - plainMotion[i]));
        }
        assertTrue(apart > 1e-2, "rescale 1 vs 0 differ by " + apart);
    }

    private static LineJob guided(String name, float[] pcm, Guidance guidance) {
        return new LineJob(LineAudio.clip(name, pcm, 16000, m.sampleRate(), m.samplesPerFrame()),
                new float[m.styleDim()],
                3, guidance, 7, false);
    }

    @Test
    void charactersTalkingAtOnceShareDenoiserRuns() throws InterruptedException {
        long runs0 = service.runs();
        long rows0 = service.rowsRun();
        List<LineJob> jobs = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            LineJob j = job("npc" + c, TestVoice.pcm(3.9, 16000), 16000, 4, c);
            jobs.add(j);
        }
        jobs.forEach(service::submit);
        for (LineJob j : jobs) {
            assertEquals(1, collect(j, 30).size());
        }
        long runs = service.runs() - runs0;
        long windowSteps = (service.rowsRun() - rows0) / 3;
        System.out.printf("4 characters x 4 steps: %d window-steps in %d denoiser runs%n", windowSteps, runs);
        assertEquals(16, windowSteps);
        assertTrue(runs < windowSteps, "batched: " + runs + " runs for " + windowSteps + " window-steps");
    }

    /** Lines on the distilled sampler share runs too, one denoiser row per window-step. */
    @Test
    void distilledLinesRunOneRowPerWindowStepAndShareRuns() throws InterruptedException {
        assertTrue(m.hasDistilled(), "the committed pack has a distilled sampler");
        Guidance folded = LineOptions.DEFAULTS.withSampler(SamplerKind.DISTILLED).resolvedGuidance(m, true);
        int steps = LineOptions.DEFAULTS.resolvedSteps(m, folded);
        long runs0 = service.runs();
        long rows0 = service.rowsRun();
        List<LineJob> jobs = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            jobs.add(new LineJob(LineAudio.clip("npc" + c, TestVoice.pcm(3.9, 16000), 16000, m.sampleRate(),
                    m.samplesPerFrame()), new float[m.styleDim()], steps, folded, c, false));
        }
        jobs.forEach(service::submit);
        for (LineJob j : jobs) {
            List<MotionWindow> windows = collect(j, 30);
            assertEquals(1, windows.size());
            assertEquals(steps, windows.get(0).steps());
        }
        long runs = service.runs() - runs0;
        long rows = service.rowsRun() - rows0;
        System.out.printf("4 characters x %d distilled steps: %d rows in %d denoiser runs%n", steps, rows, runs);
        assertEquals(4L * steps, rows);
        assertTrue(runs < rows, "batched: " + runs + " runs for " + rows + " window-steps");
    }

    /**
     * Velocity at window borders against velocity inside windows: stitching conditions each window on
     * the previous one's last frames, so a border should not jump more than motion does inside.
     */
    @Test
    void windowsStitchWithoutJumps() throws InterruptedException {
        LineJob j = job("stitch", TestVoice.pcm(16, 16000), 16000, 10, 7);
        service.submit(j);
        float[] all = concat(collect(j, 60));
        int dim = m.motion().dim();
        int frames = all.length / dim;
        List<Double> inside = new ArrayList<>();
        List<Double> border = new ArrayList<>();
        for (int f = 1; f < frames; f++) {
            double v = 0;
            for (int k = 0; k < dim; k++) {
                double d = all[f * dim + k] - all[(f - 1) * dim + k];
                v += d * d;
            }
            (f % m.windowFrames() == 0 ? border : inside).add(Math.sqrt(v));
        }
        inside.sort(null);
        double median = inside.get(inside.size() / 2);
        double p95 = inside.get((int) (inside.size() * 0.95));
        double worstBorder = border.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        System.out.printf("stitching: velocity inside windows median %.4f, p95 %.4f; at %d borders max %.4f (ratio "
                + "to p95 %.2f)%n",
                median, p95, border.size(), worstBorder, worstBorder / p95);
        assertEquals(3, border.size());
        assertTrue(worstBorder <= 2 * p95, "border velocity " + worstBorder + " vs inside p95 " + p95);
    }

    @Test
    void aTenMinuteLineRunsInBoundedMemory() throws InterruptedException {
        // A decoder-like source: ten minutes of audio made on demand, never held whole.
        int rate = 16000;
        long total = 600L * rate;
        float[] tile = TestVoice.pcm(4, rate);
        PcmReader reader = new PcmReader() {
            long at;

            @Override
            public int read(float[] store) {
                if (at >= total) {
                    return -1;
                }
                int n = (int) Math.min(store.length, total - at);
                for (int i = 0; i < n; i++) {
                    store[i] = tile[(int) ((at + i) % tile.length)];
                }
                at += n;
                return n;
            }

            @Override
            public int sampleRate() {
                return rate;
            }

            @Override
            public void close() {
            }
        };
        LineAudio audio = LineAudio.pull("ten minutes", reader, m.sampleRate(), m.samplesPerFrame());
        LineJob j = new LineJob(audio, new float[m.styleDim()], 1, new Guidance(1.5f, 1.5f, 0f), 1, false);
        service.submit(j);
        long windows = 0;
        long frames = 0;
        int maxBuffered = 0;
        long end = System.nanoTime() + 120_000_000_000L;
        while (!j.isGenerationDone() && System.nanoTime() < end) {
            for (MotionWindow w; (w = j.pollWindow()) != null;) {
                windows++;
                frames += w.frames();
                j.setPlayhead(frames / 25f, true); // plays as fast as it is made; nothing is kept
            }
            maxBuffered = Math.max(maxBuffered, audio.bufferCapacity());
            Thread.sleep(1);
        }
        for (MotionWindow w; (w = j.pollWindow()) != null;) {
            windows++;
            frames += w.frames();
        }
        assertNull(j.failure());
        System.out.printf("10-minute line: %d windows, %d frames, audio buffer at most %d samples (%.1f s)%n",
                windows, frames, maxBuffered, maxBuffered / (float) rate);
        assertEquals(15000, frames);
        assertTrue(maxBuffered <= 4 * 64000, "audio held: " + maxBuffered + " samples");
    }

    /** A one-second reader that counts its closes, standing for a decoder holding a file open. */
    static PcmReader countingCloses(AtomicInteger closes) {
        float[] pcm = TestVoice.pcm(1, 16000);
        return new PcmReader() {
            int at;

            @Override
            public int read(float[] store) {
                if (at >= pcm.length) {
                    return -1;
                }
                int n = Math.min(store.length, pcm.length - at);
                System.arraycopy(pcm, at, store, 0, n);
                at += n;
                return n;
            }

            @Override
            public int sampleRate() {
                return 16000;
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
    }

    static LineJob pulledJob(String name, AtomicInteger closes) {
        return new LineJob(LineAudio.pull(name, countingCloses(closes), m.sampleRate(), m.samplesPerFrame()),
                new float[m.styleDim()], 1, Guidance.NONE, 1, false);
    }

    @Test
    void aLineSubmittedToAStoppedServiceClosesItsAudio() {
        InferenceService stopped = new InferenceService(m, () -> Networks.of(pack), ServiceSettings.defaults(),
                "stopped inference");
        stopped.close();
        AtomicInteger closes = new AtomicInteger();
        LineJob j = pulledJob("after close", closes);
        stopped.submit(j);
        assertTrue(j.isGenerationDone());
        assertTrue(j.failure().getMessage().contains("stopped"), j.failure().getMessage());
        assertEquals(1, closes.get(), "the service, the audio's consumer, closed the reader");
    }

    @Test
    void aLineSubmittedWhenThePackCannotOpenClosesItsAudio() throws Exception {
        try (LogCapture log = LogCapture.of(InferenceService.class)) {
            InferenceService broken = new InferenceService(m, () -> {
                throw new IllegalStateException("no graphs here");
            }, ServiceSettings.defaults(), "broken inference");
            broken.start();
            try {
                assertTrue(Waits.until(10, () -> broken.openFailure() != null));
                AtomicInteger closes = new AtomicInteger();
                LineJob j = pulledJob("on a broken pack", closes);
                broken.submit(j);
                assertTrue(j.isGenerationDone());
                assertEquals("no graphs here", j.failure().getMessage());
                assertEquals(1, closes.get(), "the service, the audio's consumer, closed the reader");
            } finally {
                broken.close();
            }
            assertTrue(log.records(Level.SEVERE).get(0).getMessage().contains("no graphs here"));
        }
    }
}
