package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.LineOptions;
import dev.parley.features.LineAudio;
import dev.parley.generation.MotionWindow;
import dev.parley.model.StreamSpec;
import dev.parley.pack.PackManifest;
import dev.parley.sampler.Guidance;
import dev.parley.testing.CommittedPack;
import dev.parley.testing.TestVoice;
import dev.parley.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which path a line runs (docs/runtime.md): streamed audio on the pack's stream model, cut as soon as each
 * window's audio has arrived; pre-recorded lines, and streams with the stream model turned off, on full
 * windows. The committed pack on the real ONNX Runtime.
 */
class StreamModelServiceTest {

    /** The committed pack, open while this class's tests run. */
    @RegisterExtension
    static final CommittedPack PACK = new CommittedPack();

    private static InferenceService start(ServiceSettings settings) throws Exception {
        PackManifest m = PACK.manifest();
        InferenceService s = new InferenceService(m, () -> Networks.of(PACK.pack()), settings, "stream test");
        s.start();
        assertTrue(Waits.until(30, s::isReady), "service ready");
        return s;
    }

    private static LineJob job(LineAudio audio) {
        PackManifest m = PACK.manifest();
        return new LineJob(audio, new float[m.styleDim()], m.stream().steps(),
                LineOptions.DEFAULTS.resolvedGuidance(m, false), 3L, true);
    }

    @Test
    void aStreamRunsOnTheStreamModelFromItsFirstWindowOfAudio() throws Exception {
        PackManifest m = PACK.manifest();
        StreamSpec spec = m.stream();
        int spf = m.samplesPerFrame();
        float[] pcm = TestVoice.pcm(1.5, m.sampleRate());
        InferenceService service = start(ServiceSettings.defaults());
        try {
            LineAudio audio = LineAudio.stream("tts", m.sampleRate(), m.sampleRate(), spf);
            LineJob job = job(audio);
            service.submit(job);
            int early = spec.window() * spf - 1; // one sample short of the first window
            audio.write(pcm, 0, early);
            service.wake();
            Thread.sleep(300);
            assertNull(job.pollWindow(), "no window before its audio has arrived");
            assertTrue(job.onStreamModel(), "a streamed line runs on the stream model");
            audio.write(pcm, early, 1);
            service.wake();
            MotionWindow[] first = new MotionWindow[1];
            assertTrue(Waits.until(10, () -> (first[0] = job.pollWindow()) != null), "first window");
            assertEquals(0, first[0].startFrame());
            assertEquals(spec.hop(), first[0].frames(), "a stream window keeps hop frames");
            int steps = first[0].steps();
            assertTrue(steps >= ServiceSettings.defaults().minSteps() && steps <= spec.steps(),
                    "stream.steps, or fewer to start within the first-window budget: " + steps);
            for (int i = spec.window() * spf; i < pcm.length; i += 320) {
                audio.write(pcm, i, Math.min(320, pcm.length - i));
            }
            audio.finish();
            service.wake();
            List<MotionWindow> rest = new ArrayList<>();
            assertTrue(Waits.until(60, () -> {
                boolean done = job.isGenerationDone(); // before polling: once done, every window is queued
                for (MotionWindow w; (w = job.pollWindow()) != null;) {
                    rest.add(w);
                }
                return done;
            }), "the line ends");
            assertNull(job.failure());
            long next = first[0].frames();
            for (MotionWindow w : rest) {
                assertEquals(next, w.startFrame(), "windows tile the line");
                assertTrue(w.frames() >= 1 && w.frames() <= spec.hop());
                next += w.frames();
            }
            assertEquals((pcm.length + spf - 1) / spf, next, "every frame of the line, none past it");
        } finally {
            service.close();
        }
    }

    /** Regression: a styled line of the pack's distilled sampler asked its stream windows for the student's 2 steps. */
    @Test
    void aDistilledLineOnTheStreamModelAsksForTheStreamSteps() throws Exception {
        PackManifest m = PACK.manifest();
        assertTrue(m.hasDistilled(), "the committed pack has a distilled sampler");
        InferenceService service = start(ServiceSettings.defaults());
        try {
            LineAudio audio = LineAudio.stream("styled tts", m.sampleRate(), m.sampleRate(), m.samplesPerFrame());
            Guidance folded = Guidance.folded(m.audioGuidance(), m.styleGuidance());
            LineJob job = new LineJob(audio, new float[m.styleDim()], m.distilledTimesteps().length, folded, 5L,
                    true);
            service.submit(job);
            float[] pcm = TestVoice.pcm(0.5, m.sampleRate());
            audio.write(pcm, 0, pcm.length);
            audio.finish();
            service.wake();
            assertTrue(Waits.until(10, () -> job.pollWindow() != null), "first window");
            assertTrue(job.onStreamModel());
            assertEquals(m.stream().steps(), job.steps(), "the stream model's steps are requested");
        } finally {
            service.close();
        }
    }

    @Test
    void withoutTheStreamModelAStreamWaitsForAFullChunk() throws Exception {
        PackManifest m = PACK.manifest();
        int spf = m.samplesPerFrame();
        ServiceSettings settings = ServiceSettings.defaults().withStreamModel(false);
        float[] pcm = TestVoice.pcm(1.5, m.sampleRate());
        InferenceService service = start(settings);
        try {
            LineAudio audio = LineAudio.stream("tts", m.sampleRate(), m.sampleRate(), spf);
            LineJob job = job(audio);
            service.submit(job);
            audio.write(pcm, 0, pcm.length);
            service.wake();
            MotionWindow[] first = new MotionWindow[1];
            assertTrue(Waits.until(10, () -> (first[0] = job.pollWindow()) != null), "first window");
            assertFalse(job.onStreamModel(), "full windows when the stream model is off");
            assertTrue(first[0].frames() >= settings.streamChunkFrames(), "today's first window: "
                    + first[0].frames() + " frames");
            audio.finish();
            service.wake();
            InferenceServiceTest.collect(job, 60, m.motion().fps());
        } finally {
            service.close();
        }
    }

    @Test
    void aPreRecordedLineKeepsFullWindows() throws Exception {
        PackManifest m = PACK.manifest();
        InferenceService service = start(ServiceSettings.defaults());
        try {
            float[] pcm = TestVoice.pcm(1.5, m.sampleRate());
            LineJob job = job(LineAudio.clip("clip", pcm, m.sampleRate(), m.sampleRate(), m.samplesPerFrame()));
            service.submit(job);
            List<MotionWindow> windows = InferenceServiceTest.collect(job, 60, m.motion().fps());
            assertFalse(job.onStreamModel());
            assertEquals(1, windows.size(), "one full window for a 1.5 s clip");
            assertEquals((pcm.length + m.samplesPerFrame() - 1) / m.samplesPerFrame(), windows.get(0).frames());
        } finally {
            service.close();
        }
    }
}
