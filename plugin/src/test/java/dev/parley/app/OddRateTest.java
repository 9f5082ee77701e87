package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import dev.parley.audio.Resampler;
import dev.parley.head.HeadSpec;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 6: an odd sample rate must not freeze the render thread. The resampler's filter
 * table for 44,098 Hz took 191 ms and for 96,002 Hz about 450 ms, built inside {@code say()} and
 * {@code sayStream()} on every call. Here the build is observed through the resampler's FINE log
 * record, which carries the thread that built it: once per rate, never the render thread. (Timings
 * live in {@code ResamplerBenchmark}, not in a test.)
 */
class OddRateTest {

    static HeadlessApp app;
    static ParleyAppState parley;
    static TalkingHead head;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.of(Resampler.class).atLevel(Level.FINE);
        app = HeadlessApp.start(60);
        parley = new ParleyAppState(Golden.pack(), ServiceSettings.defaults().withPreferCuda(false));
        app.call(() -> app.getStateManager().attach(parley));
        HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
        Spatial model = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
        assertTrue(app.await(30, () -> parley.service().isReady()), "service ready");
        head = app.call(() -> {
            Node root = new Node("npc");
            root.attachChild(model);
            app.getRootNode().attachChild(root);
            return parley.attach(model, spec, null);
        });
    }

    @AfterAll
    static void stop() {
        app.close();
        log.close();
    }

    private static List<LogRecord> buildsOf(int rate) {
        String what = rate + " -> " + parley.manifest().sampleRate() + " Hz";
        return log.records().stream().filter(r -> r.getMessage().contains(what)).toList();
    }

    @Test
    void oddRateTablesAreBuiltOnceOnTheWorkerNeverOnTheRenderThread() throws Exception {
        long renderThread = app.call(() -> Thread.currentThread().getId());
        for (int i = 0; i < 2; i++) {
            Line line = app.call(() -> head.say(TestVoice.pcm(0.6, 44_098), 44_098));
            assertTrue(app.await(60, () -> line.state() == Line.State.FINISHED), "line finished: " + line);
        }
        SpeechStream stream = app.call(() -> head.sayStream(96_002));
        stream.write(TestVoice.pcm(0.6, 96_002));
        stream.finish();
        assertTrue(app.await(60, () -> stream.line().state() == Line.State.FINISHED),
                "stream finished: " + stream.line());
        for (int rate : new int[] {44_098, 96_002}) {
            List<LogRecord> made = buildsOf(rate);
            assertEquals(1, made.size(), rate + " Hz: one build, then the cache: " + made.size());
            assertNotEquals(renderThread, made.get(0).getLongThreadID(), rate + " Hz table built on the render thread");
            assertTrue(Resampler.isCached(rate, parley.manifest().sampleRate()), rate + " Hz cached");
        }
    }

    @Test
    void ratesOutsideTheDocumentedLimitsAreRefusedAtTheDoor() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> head.say(new float[100], 999_998));
        assertEquals("sampleRate must be in [4000, 192000] but is 999998", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> head.sayStream(1));
    }
}
