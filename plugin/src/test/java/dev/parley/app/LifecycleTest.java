package dev.parley.app;

import static dev.parley.app.ParleyAppStateTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Denoiser;
import dev.parley.service.InferenceService;
import dev.parley.service.Networks;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle regressions (issue 15, items 1, 7 and 9; issue 14's shutdown): re-attaching Parley, detaching
 * characters and Parley mid-line, closing the application, streams that are never finished, and a
 * detach that times out while the worker is in a run. Every line ends exactly once, with its listener.
 */
class LifecycleTest {

    static HeadlessApp app;
    static HeadSpec spec;
    static Spatial headModel;
    static final ServiceSettings SETTINGS = ServiceSettings.defaults().withPreferCuda(false).withStreamIdleTimeout(1f);

    /** The test's own Parley, attached on first use and detached after the test. */
    private ParleyAppState shared;
    private final Ends ends = new Ends();

    /** Records every listener call per line (render thread), so a test can check each line ends once. */
    static final class Ends implements LineListener {
        final Map<Line, List<String>> calls = new ConcurrentHashMap<>();
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void started(TalkingHead head, Line line) {
            record(line, "started");
        }

        @Override
        public void finished(TalkingHead head, Line line) {
            record(line, "finished " + line.state());
        }

        @Override
        public void failed(TalkingHead head, Line line, Exception e) {
            if (line != null) {
                record(line, "failed " + line.state());
            }
        }

        private void record(Line line, String what) {
            calls.computeIfAbsent(line, l -> new CopyOnWriteArrayList<>()).add(what);
            log.add(what + " " + line.name());
        }

        /** @return the ends the line was reported with (finished or failed calls) */
        List<String> ends(Line line) {
            return calls.getOrDefault(line, List.of()).stream().filter(s -> !s.equals("started")).toList();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        app = HeadlessApp.start(60);
        spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
        headModel = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @AfterEach
    void detachShared() throws Exception {
        if (shared != null) {
            detach(shared);
        }
    }

    /** @return an attached Parley on the committed pack, detached after the test */
    ParleyAppState parley() throws Exception {
        if (shared == null) {
            shared = attached(new ParleyAppState(Golden.pack(), SETTINGS));
        }
        return shared;
    }

    /** @return a new character of {@link #parley()}, heard by {@link #ends} */
    TalkingHead head() throws Exception {
        return newHead(app, parley(), ends);
    }

    static TalkingHead newHead(HeadlessApp on, ParleyAppState parley, LineListener listener) throws Exception {
        return on.call(() -> {
            Spatial model = headModel.clone();
            on.getRootNode().attachChild(model);
            return parley.attach(model, spec, null, listener);
        });
    }

    /** Says a line of test voice (2 steps) and waits until it reaches a state. */
    static Line say(TalkingHead head, double seconds, Line.State until) throws Exception {
        Line line = app.call(() -> head.say(TestVoice.pcm(seconds, 16000), 16000, LineOptions.DEFAULTS.withSteps(2)));
        assertTrue(app.await(20, () -> line.state() == until), line.toString());
        return line;
    }

    static ParleyAppState attached(ParleyAppState parley) throws Exception {
        app.call(() -> app.getStateManager().attach(parley));
        assertTrue(waitFor(30, () -> parley.isInitialized() && parley.service().isReady()), "service ready");
        return parley;
    }

    static void detach(ParleyAppState parley) throws Exception {
        app.call(() -> app.getStateManager().detach(parley));
        assertTrue(app.await(30, () -> !parley.isInitialized()), "cleaned up");
    }

    @Test
    void reattachingParleyStartsANewWorkerAndLinesFinishAgain() throws Exception {
        int threadsBefore = Thread.activeCount();
        ParleyAppState parley = attached(new ParleyAppState(Golden.pack(), SETTINGS));
        TalkingHead head = newHead(app, parley, ends);
        InferenceService first = parley.service();
        Line one = say(head, 0.4, Line.State.FINISHED);
        detach(parley);
        assertFalse(first.thread().isAlive(), "the first worker stopped");

        // Was: IllegalThreadStateException from InferenceService.start inside initialize, and jME stopped the app.
        attached(parley);
        InferenceService second = parley.service();
        assertNotSame(first, second);
        assertTrue(second.thread().isAlive());
        Line two = say(head, 0.4, Line.State.FINISHED);
        assertEquals(List.of("finished FINISHED"), ends.ends(one));
        assertEquals(List.of("finished FINISHED"), ends.ends(two));
        detach(parley);
        assertTrue(waitFor(10, () -> Thread.activeCount() == threadsBefore), "threads back to " + threadsBefore);
    }

    @Test
    void aStateMadeFromAnOpenPackReopensItWhenAttachedAgain() throws Exception {
        ParleyPack pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        ParleyAppState parley = attached(new ParleyAppState(pack, SETTINGS));
        detach(parley);
        assertTrue(waitFor(10, pack::isClosed), "the worker closed the pack it owned");
        attached(parley);
        TalkingHead head = newHead(app, parley, ends);
        Line line = say(head, 0.4, Line.State.FINISHED);
        detach(parley);
    }

    @Test
    void detachingACharacterMidLineStopsItAndTellsTheListenerAtOnce() throws Exception {
        TalkingHead head = head();
        Line line = say(head, 8.0, Line.State.SPEAKING);
        List<String> heard = app.call(() -> {
            parley().detach(head);
            return List.copyOf(ends.ends(line)); // heard during detach, not on a later update
        });
        assertEquals(List.of("finished STOPPED"), heard);
        assertEquals(Line.State.STOPPED, line.state());
        assertTrue(line.job.isCancelled());
        detach(parley());
        assertEquals(List.of("finished STOPPED"), ends.ends(line), "once");
        shared = null;
    }

    @Test
    void aLineSaidAfterDetachingTheCharacterFailsAtOnce() throws Exception {
        TalkingHead head = head();
        try (LogCapture log = LogCapture.of("dev.parley")) {
            Line line = app.call(() -> {
                parley().detach(head);
                return head.say(TestVoice.pcm(1.0, 16000), 16000);
            });
            // Was: WAITING forever, no callback, and the service kept the job and its audio.
            assertEquals(Line.State.FAILED, line.state());
            assertEquals(List.of("failed FAILED"), ends.ends(line));
            assertNull(line.job, "nothing was submitted");
            assertTrue(line.error().getMessage().contains("was detached from Parley"), line.error().getMessage());
            assertTrue(log.contains(Level.WARNING, "cannot say 'pcm line'"), log.messages(Level.WARNING).toString());
        }
    }

    @Test
    void detachingParleyStopsEveryLineAndLinesSaidMeanwhileFail() throws Exception {
        ParleyAppState parley = parley();
        TalkingHead speaking = head();
        TalkingHead waiting = head();
        Line a = say(speaking, 8.0, Line.State.SPEAKING);
        SpeechStream s = app.call(() -> waiting.sayStream(16000)); // no audio yet: WAITING
        app.call(() -> app.getStateManager().detach(parley));
        assertTrue(app.await(30, () -> !parley.isInitialized()));
        assertEquals(List.of("finished STOPPED"), ends.ends(a));
        assertEquals(List.of("finished STOPPED"), ends.ends(s.line()));
        try (LogCapture log = LogCapture.of("dev.parley")) {
            Line late = app.call(() -> speaking.say(TestVoice.pcm(1.0, 16000), 16000));
            assertTrue(app.await(5, () -> late.state() == Line.State.FAILED), late.toString());
            assertEquals(List.of("failed FAILED"), ends.ends(late));
            assertTrue(late.error().getMessage().contains("service is stopped"), late.error().getMessage());
            assertTrue(log.contains(Level.WARNING, "service is stopped"));
        }
    }

    @Test
    void aStreamNeverFinishedFailsAfterTheIdleTimeoutNamingTheCharacter() throws Exception {
        TalkingHead head = head();
        try (LogCapture log = LogCapture.of("dev.parley")) {
            SpeechStream stream = app.call(() -> head.sayStream(16000));
            // A producer writing in real time until the face speaks, then silent without finish().
            float[] chunk = TestVoice.pcm(0.25, 16000);
            long end = System.nanoTime() + 30_000_000_000L;
            while (stream.line().state() == Line.State.WAITING && System.nanoTime() < end) {
                stream.write(chunk);
                Thread.sleep(250);
            }
            assertEquals(Line.State.SPEAKING, stream.line().state());
            // Was: SPEAKING with an idle face forever.
            assertTrue(app.await(10, () -> stream.line().state() == Line.State.FAILED), stream.line().toString());
            assertEquals(List.of("started", "failed FAILED"), ends.calls.get(stream.line()));
            assertEquals("'stream': the stream received no audio for 1.0 s and finish() was not called"
                    + " (ServiceSettings.streamIdleTimeout): the line ends", stream.line().error().getMessage());
            String name = head.getName();
            String warning = "Parley: " + name + " cannot say 'stream': 'stream': the stream received";
            assertTrue(log.contains(Level.WARNING, warning),
                    log.messages(Level.WARNING).toString());
            assertTrue(stream.line().job.isCancelled(), "the worker drops it");
            stream.write(TestVoice.pcm(0.5, 16000)); // ignored: the line has ended
            assertEquals(List.of("started", "failed FAILED"), ends.calls.get(stream.line()));
        }
    }

    @Test
    void aStreamWithPausesShorterThanTheTimeoutFinishes() throws Exception {
        shared = attached(new ParleyAppState(Golden.pack(), SETTINGS.withStreamIdleTimeout(2f)));
        TalkingHead head = head();
        SpeechStream stream = app.call(() -> head.sayStream(16000));
        float[] pcm = TestVoice.pcm(2.0, 16000);
        for (int i = 0; i < pcm.length; i += 8000) {
            stream.write(pcm, i, 8000);
            Thread.sleep(600); // a producer pausing 0.6 s between chunks (the timeout is 2 s)
        }
        stream.finish();
        assertTrue(app.await(20, () -> !stream.line().isActive()), stream.line().toString());
        assertEquals(Line.State.FINISHED, stream.line().state(), stream.line().toString());
    }

    /**
     * Issue 14: a detach whose wait for the worker times out must not close sessions the worker is still
     * running. Here the denoiser blocks in a run until the test releases it.
     */
    @Test
    void aDetachThatTimesOutLeavesTheNetworksToTheWorker() throws Exception {
        ParleyPack pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        CountDownLatch inRun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean blocking = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean();
        AtomicReference<String> closedBy = new AtomicReference<>();
        AtomicBoolean closedDuringRun = new AtomicBoolean();
        AutoCloseable owner = () -> {
            closedBy.set(Thread.currentThread().getName());
            closedDuringRun.set(running.get());
            pack.close();
        };
        Denoiser blockable = (batch, x0) -> {
            running.set(true);
            try {
                if (blocking.get()) {
                    inRun.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
                pack.denoiser().predict(batch, x0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.set(false);
            }
        };
        ParleyAppState parley = new ParleyAppState(pack.manifest(), () -> new Networks(pack.audioEncoder(), blockable),
                owner, SETTINGS.withStopTimeout(0.2f));
        attached(parley);
        TalkingHead head = newHead(app, parley, ends);
        blocking.set(true);
        Line line = app.call(() -> head.say(TestVoice.pcm(2.0, 16000), 16000));
        assertTrue(inRun.await(20, TimeUnit.SECONDS), "the worker is in a run");
        try (LogCapture log = LogCapture.of("dev.parley")) {
            detach(parley); // waits 0.2 s for the worker, which is still in its run
            assertTrue(log.contains(Level.WARNING, "did not stop within 0.2 s"),
                    log.messages(Level.WARNING).toString());
        }
        assertEquals(List.of("finished STOPPED"), ends.ends(line));
        assertTrue(parley.service().thread().isAlive(), "still in its run");
        assertFalse(pack.isClosed(), "sessions in use are not closed");
        release.countDown();
        assertTrue(waitFor(10, pack::isClosed), "closed once the run ended");
        assertFalse(closedDuringRun.get());
        assertEquals(parley.service().thread().getName(), closedBy.get(), "closed by the worker");
        assertTrue(waitFor(10, () -> !parley.service().thread().isAlive()));
    }
}
