package dev.parley.app;

import static dev.parley.app.ParleyAppStateTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Random (seeded) sequences of what a game does to characters and Parley: attach and detach characters,
 * say, stop, stream (write, finish, or abandon), detach and re-attach Parley, with a few frames between
 * calls. Afterwards every line has ended exactly once, with the listener call its end state promises,
 * no SEVERE was logged, and no thread is left. {@code -Dparley.lifecycleSeeds=N} runs more seeds.
 */
class LifecyclePropertyTest {

    private static final int OPS = 100;

    @Test
    void everyLineEndsOnceAndNoThreadIsLeft() throws Exception {
        int seeds = Integer.getInteger("parley.lifecycleSeeds", 3);
        try (HeadlessApp app = HeadlessApp.start(60); LogCapture log = LogCapture.of("dev.parley")) {
            HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
            Spatial model = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
            Set<String> threadsBefore = liveThreads();
            int lines = 0;
            for (int seed = 1; seed <= seeds; seed++) {
                lines += run(app, spec, model, seed);
            }
            assertTrue(waitFor(10, () -> liveThreads().equals(threadsBefore)),
                    "threads left: " + difference(liveThreads(), threadsBefore));
            assertEquals(List.of(), log.messages(Level.SEVERE));
            System.out.printf("lifecycle property: %d seeds x %d operations, %d lines, each ended once;"
                    + " threads %d before and after%n", seeds, OPS, lines, threadsBefore.size());
        }
    }

    /** One random sequence; returns the number of lines said. */
    private static int run(HeadlessApp app, HeadSpec spec, Spatial model, long seed) throws Exception {
        Random random = new Random(seed);
        ParleyAppState parley = new ParleyAppState(Golden.pack(), ServiceSettings.defaults().withPreferCuda(false)
                .withStreamIdleTimeout(0.3f));
        LifecycleTest.Ends ends = new LifecycleTest.Ends();
        List<TalkingHead> heads = new ArrayList<>();
        List<TalkingHead> detached = new ArrayList<>();
        List<Line> lines = new ArrayList<>();
        List<SpeechStream> streams = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        app.call(() -> app.getStateManager().attach(parley));
        boolean attached = true;
        int reattaches = 0;
        for (int op = 0; op < OPS; op++) {
            int kind = random.nextInt(100);
            if (heads.isEmpty() || kind < 8 && heads.size() < 4) {
                heads.add(app.call(() -> {
                    Spatial m = model.clone();
                    app.getRootNode().attachChild(m);
                    return parley.attach(m, spec, null, ends);
                }));
                trace.add("attach head");
            } else if (kind < 14) {
                TalkingHead h = heads.remove(random.nextInt(heads.size()));
                app.call(() -> {
                    parley.detach(h);
                    return null;
                });
                detached.add(h);
                trace.add("detach head");
            } else if (kind < 44) {
                TalkingHead h = pick(random, heads, detached);
                float seconds = 0.2f + 0.4f * random.nextFloat();
                LineOptions fast = LineOptions.DEFAULTS.withSteps(2);
                lines.add(app.call(() -> h.say(TestVoice.pcm(seconds, 16000), 16000, fast)));
                trace.add("say");
            } else if (kind < 52) {
                TalkingHead h = pick(random, heads, detached);
                app.call(() -> {
                    h.stop();
                    return null;
                });
                trace.add("stop");
            } else if (kind < 62) {
                TalkingHead h = pick(random, heads, detached);
                SpeechStream s = app.call(() -> h.sayStream(16000, LineOptions.DEFAULTS.withSteps(2)));
                streams.add(s);
                lines.add(s.line());
                trace.add("stream");
            } else if (kind < 80 && !streams.isEmpty()) {
                streams.get(random.nextInt(streams.size())).write(TestVoice.pcm(0.25 + random.nextFloat(), 16000));
                trace.add("write");
            } else if (kind < 88 && !streams.isEmpty()) {
                streams.remove(random.nextInt(streams.size())).finish();
                trace.add("finish");
            } else if (kind < 91 && reattaches < 2) {
                if (attached) {
                    app.call(() -> app.getStateManager().detach(parley));
                    trace.add("detach Parley");
                } else {
                    app.call(() -> app.getStateManager().attach(parley));
                    reattaches++;
                    trace.add("attach Parley");
                }
                attached = !attached;
            } else {
                Thread.sleep(10 + random.nextInt(120));
                trace.add("wait");
            }
            Thread.sleep(random.nextInt(30));
        }
        if (!attached) {
            app.call(() -> app.getStateManager().attach(parley));
        }
        // Streams left open are abandoned: the idle timeout ends them.
        assertTrue(app.await(60, () -> lines.stream().noneMatch(Line::isActive)),
                "seed " + seed + ": lines still active " + active(lines) + " after " + trace);
        app.call(() -> app.getStateManager().detach(parley));
        assertTrue(app.await(30, () -> !parley.isInitialized()));
        assertTrue(waitFor(10, () -> !parley.service().thread().isAlive()), "worker stopped");
        for (Line l : lines) {
            List<String> heard = ends.calls.getOrDefault(l, List.of());
            String end = l.state() == Line.State.FAILED ? "failed FAILED" : "finished " + l.state();
            List<String> expected = heard.contains("started") ? List.of("started", end) : List.of(end);
            assertEquals(expected, heard, "seed " + seed + ": " + l + " after " + trace);
        }
        return lines.size();
    }

    private static TalkingHead pick(Random random, List<TalkingHead> heads, List<TalkingHead> detached) {
        if (!detached.isEmpty() && random.nextInt(6) == 0) {
            return detached.get(random.nextInt(detached.size()));
        }
        return heads.get(random.nextInt(heads.size()));
    }

    private static List<String> active(List<Line> lines) {
        return lines.stream().filter(Line::isActive).map(Line::toString).toList();
    }

    private static Set<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toSet());
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toSet());
    }
}
