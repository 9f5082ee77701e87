package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.pack.PackManifest;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Many lines in a row leave thread count and native memory flat, and detaching Parley stops its
 * worker. CI runs 100 lines over 4 characters; {@code -Dparley.leakLines=1000} runs the full loop,
 * and {@code -Dparley.leakHeads=16} has 16 characters talking at once.
 */
class LeakTest {

    static long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static long directBytes() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            sum += b.getMemoryUsed();
        }
        return sum;
    }

    @Test
    void linesInALoopLeaveThreadsAndNativeMemoryFlat() throws Exception {
        int lines = Integer.getInteger("parley.leakLines", 100);
        int heads = Integer.getInteger("parley.leakHeads", 4);
        try (HeadlessApp app = HeadlessApp.start(120)) {
            int threadsBefore = Thread.activeCount();
            ParleyAppState parley = new ParleyAppState(Golden.pack(), ServiceSettings.defaults().withPreferCuda(false));
            app.call(() -> app.getStateManager().attach(parley));
            HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
            Spatial model = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
            TalkingHead[] talkers = app.call(() -> {
                TalkingHead[] t = new TalkingHead[heads];
                for (int i = 0; i < heads; i++) {
                    Spatial m = model.clone();
                    app.getRootNode().attachChild(m);
                    t[i] = parley.attach(m, spec, null);
                }
                return t;
            });
            float[] pcm = TestVoice.pcm(0.2, 16000);
            LineOptions fast = LineOptions.DEFAULTS.withSteps(2);
            long rssWarm = 0;
            long directWarm = 0;
            int threadsWarm = 0;
            long t0 = System.nanoTime();
            for (int round = 0; round < lines / heads; round++) {
                Line[] said = app.call(() -> {
                    Line[] l = new Line[heads];
                    for (int i = 0; i < heads; i++) {
                        l[i] = talkers[i].say(pcm.clone(), 16000, fast);
                    }
                    return l;
                });
                assertTrue(app.await(20, () -> {
                    for (Line l : said) {
                        if (l.isActive()) {
                            return false;
                        }
                    }
                    return true;
                }), "round " + round);
                for (Line l : said) {
                    assertEquals(Line.State.FINISHED, l.state(), l.toString());
                }
                if (round == 2) {
                    System.gc();
                    rssWarm = rssKb();
                    directWarm = directBytes();
                    threadsWarm = Thread.activeCount();
                }
            }
            System.gc();
            long rssEnd = rssKb();
            long directEnd = directBytes();
            int threadsEnd = Thread.activeCount();
            System.out.printf("leak loop: %d lines over %d characters in %.1f s; threads %d -> %d;"
                    + " RSS %d -> %d MB (%+d MB); direct buffers %.1f -> %.1f MB%n", lines, heads,
                    (System.nanoTime() - t0) / 1e9, threadsWarm, threadsEnd, rssWarm / 1024, rssEnd / 1024,
                    (rssEnd - rssWarm) / 1024, directWarm / 1e6, directEnd / 1e6);
            assertEquals(threadsWarm, threadsEnd, "thread count");
            assertTrue(rssEnd - rssWarm < 48 * 1024, "RSS grew by " + (rssEnd - rssWarm) / 1024 + " MB");
            // Tensors are made once per batch size and kept. Since pack 1.4.0 a step batch also holds each row's
            // audio memory, so a batch size first formed after the warm-up (up to 3 guidance rows per character)
            // adds that set once: a bounded cost, where a leak grows with the number of lines.
            long memorySet = 4L * 3 * heads * PackManifest.load(Golden.pack().resolve("manifest.json")).dims()
                    .memorySize();
            assertTrue(directEnd - directWarm < 8_000_000 + memorySet, "direct buffers grew by "
                    + (directEnd - directWarm) + " bytes (allowed " + (8_000_000 + memorySet) + ")");
            app.call(() -> app.getStateManager().detach(parley));
            assertTrue(ParleyAppStateTest.waitFor(10, () -> !parley.service().thread().isAlive()), "worker stopped");
            System.out.printf("after detach: threads %d (before Parley: %d)%n", Thread.activeCount(), threadsBefore);
            assertEquals(threadsBefore, Thread.activeCount(), "threads after detach");
        }
    }
}
