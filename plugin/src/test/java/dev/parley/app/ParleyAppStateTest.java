package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.asset.AssetKey;
import com.jme3.audio.AudioBuffer;
import com.jme3.audio.AudioKey;
import com.jme3.audio.AudioNode;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import com.jme3.util.BufferUtils;
import dev.parley.head.BetaRecord;
import dev.parley.head.HeadShape;
import dev.parley.head.HeadSpec;
import dev.parley.model.StreamSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.pack.ParleyPack;
import dev.parley.retarget.RetargetSet;
import dev.parley.rig.FaceRig;
import dev.parley.rig.RigProfile;
import dev.parley.rig.VrmExpressions;
import dev.parley.pack.InferenceRuntime;
import dev.parley.service.Networks;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Style;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.LogCapture;
import dev.parley.testing.MorphStrip;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import dev.parley.testing.Waits;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime as a game uses it: a real (headless) jME application, the committed pack on the real
 * ONNX Runtime, the real head. No audio renderer, so faces run on the fallback clock.
 */
class ParleyAppStateTest {

    static HeadlessApp app;
    static ParleyAppState parley;
    static HeadSpec spec;
    static Spatial headModel;

    /** Records listener calls (render thread) for assertions (test thread). */
    static final class Events implements LineListener {
        final List<String> log = new CopyOnWriteArrayList<>();
        volatile Exception error;

        @Override
        public void started(TalkingHead head, Line line) {
            log.add("started " + line.name());
        }

        @Override
        public void finished(TalkingHead head, Line line) {
            log.add("finished " + line.name() + " " + line.state());
        }

        @Override
        public void failed(TalkingHead head, Line line, Exception e) {
            log.add("failed " + (line == null ? "-" : line.name()));
            error = e;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        app = HeadlessApp.start(60);
        parley = attachParley(app);
        spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
        headModel = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
    }

    /**
     * @param app a running application (not null)
     * @return a Parley state on the committed pack, attached to it, its service ready
     */
    static ParleyAppState attachParley(HeadlessApp app) throws Exception {
        ParleyAppState state = new ParleyAppState(Golden.pack(), ServiceSettings.defaults().withPreferCuda(false));
        app.call(() -> app.getStateManager().attach(state));
        assertTrue(waitFor(30, () -> state.service().isReady()), "service ready");
        return state;
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static boolean waitFor(double seconds, java.util.function.BooleanSupplier c) throws Exception {
        return Waits.until(seconds, c::getAsBoolean);
    }

    static TalkingHead newHead(Style style, LineListener listener) throws Exception {
        return app.call(() -> {
            Node root = new Node("npc");
            Spatial model = headModel.clone();
            root.attachChild(model);
            app.getRootNode().attachChild(root);
            return parley.attach(model, spec, style, listener);
        });
    }

    static Style style(String pack, int dim) {
        float[] e = new float[dim];
        e[0] = 1f;
        return new Style("Npc.style.json", "Npc", pack, e);
    }

    @Test
    void aPcmLineStartsQuicklyMovesTheFaceAndFinishes() throws Exception {
        Events events = new Events();
        TalkingHead head = newHead(style("parley-base-v1", 128), events);
        float[] pcm = TestVoice.pcm(2.0, 22050);
        Line line = app.call(() -> head.say(pcm, 22050));
        assertTrue(app.await(10, () -> line.state() == Line.State.SPEAKING), "line started: " + line);
        System.out.printf("say() -> first frame: %.0f ms (first window %d steps)%n", 1000 * line.startLatency(),
                line.firstWindowSteps());
        // The face moves while speaking: the jaw or the expressions change from frame to frame.
        float[] seen = new float[2];
        assertTrue(app.await(5, () -> {
            Vector3f jaw = head.getFace().getFrame().getRotation(FaceJoint.JAW, new Vector3f());
            seen[0] = Math.max(seen[0], head.getSpeechWeight());
            seen[1] = Math.max(seen[1], jaw.length() + Math.abs(head.getFace().getFrame().expression(0)));
            return line.state() == Line.State.FINISHED;
        }), "line finished: " + line);
        assertEquals(List.of("started pcm line", "finished pcm line FINISHED"), events.log);
        assertTrue(seen[0] > 0.99f, "speech blended fully in: " + seen[0]);
        assertTrue(seen[1] > 0f, "face moved");
        assertTrue(app.await(2, () -> head.getSpeechWeight() == 0f), "back to idle");
    }

    @Test
    void anArkitCharacterTalksThroughSayBesideAFlameHead() throws Exception {
        RetargetSet arkit = RetargetSet.load(app.getAssetManager(), "Retargets/arkit52.retarget.json");
        Geometry face = MorphStrip.create("jawOpen", "mouthClose", "mouthFunnel", "eyeBlinkLeft");
        float rest = MorphStrip.y(face, 0);
        TalkingHead flame = newHead(null, new Events());
        TalkingHead arkitHead;
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            arkitHead = app.call(() -> {
                Node model = new Node("ArkitNpc");
                model.attachChild(face);
                app.getRootNode().attachChild(model);
                return parley.attach(model, RigProfile.of(arkit), null);
            });
            assertNull(arkitHead.getBindError());
            assertEquals(1, log.records(Level.WARNING).size(), "missing targets reported once");
        }
        int jawOpen = arkit.targetNames().indexOf("jawOpen");
        Events events = new Events();
        arkitHead.addListener(events);
        Line line = app.call(() -> arkitHead.say(TestVoice.pcm(2.0, 16000), 16000));
        Line other = app.call(() -> flame.say(TestVoice.pcm(2.0, 16000), 16000));
        float[] seen = {0f, 0f};
        assertTrue(app.await(15, () -> {
            seen[0] = Math.max(seen[0], arkitHead.getFace().getRig().getAppliedWeights()[jawOpen]);
            seen[1] = Math.max(seen[1], rest - MorphStrip.y(face, 0));
            return line.state() == Line.State.FINISHED && other.state() == Line.State.FINISHED;
        }), "lines finished: " + line + " " + other);
        assertEquals(List.of("started pcm line", "finished pcm line FINISHED"), events.log);
        System.out.printf("ARKit character: max jawOpen %.3f, max drop %.2f mm%n", seen[0], 1000 * seen[1]);
        assertTrue(seen[0] > 0.05f, "jawOpen opened while speaking: " + seen[0]);
        assertTrue(seen[1] > 0.0005f, "the mesh moved while speaking: " + seen[1]);
    }

    @Test
    void theVrmFixtureTalksThroughItsPresets() throws Exception {
        RetargetSet vrm10 = RetargetSet.load(app.getAssetManager(), "Retargets/vrm10.retarget.json");
        String path = "Models/VrmHead/VrmHead.vrm.glb";
        VrmExpressions presets;
        try (InputStream in = app.getAssetManager().locateAsset(new AssetKey<>(path)).openStream()) {
            presets = VrmExpressions.read(in, path);
        }
        TalkingHead vrm;
        try (LogCapture log = LogCapture.of("com.jme3.scene.plugins.gltf", FaceRig.class.getName())) {
            vrm = app.call(() -> {
                Spatial model = app.getAssetManager().loadModel(path);
                app.getRootNode().attachChild(model);
                return parley.attach(model, RigProfile.vrm(vrm10, presets), null);
            });
            assertEquals(List.of(), log.messages(Level.WARNING).stream().filter(m -> !m.contains("VRMC_vrm")).toList());
        }
        assertNull(vrm.getBindError());
        int aa = vrm10.targetNames().indexOf("aa");
        Line line = app.call(() -> vrm.say(TestVoice.pcm(2.0, 16000), 16000));
        float[] seen = {0f};
        assertTrue(app.await(15, () -> {
            seen[0] = Math.max(seen[0], vrm.getFace().getRig().getAppliedWeights()[aa]);
            return line.state() == Line.State.FINISHED;
        }), "line finished: " + line);
        System.out.printf("VRM character: max aa %.3f%n", seen[0]);
        assertTrue(seen[0] > 0.05f, "aa opened while speaking: " + seen[0]);
    }

    @Test
    void anAudioNodeLineIsCopiedAndAnimatedWithoutAnAudioRenderer() throws Exception {
        Events events = new Events();
        TalkingHead head = newHead(null, events);
        float[] pcm = TestVoice.pcm(1.0, 44100);
        AudioNode node = app.call(() -> new AudioNode(buffer(pcm, 44100, 16, 2), new AudioKey("Sounds/guard_01.wav")));
        Line line = app.call(() -> head.say(node));
        assertTrue(app.await(10, () -> line.state() == Line.State.FINISHED), "finished: " + line + " " + events.log);
        assertEquals(List.of("started Sounds/guard_01.wav", "finished Sounds/guard_01.wav FINISHED"), events.log);
    }

    @Test
    void stopReturnsToIdleAndTellsTheListeners() throws Exception {
        Events events = new Events();
        TalkingHead head = newHead(null, events);
        Line line = app.call(() -> head.say(TestVoice.pcm(8.0, 16000), 16000));
        assertTrue(app.await(10, () -> line.state() == Line.State.SPEAKING));
        app.call(() -> {
            head.stop();
            return null;
        });
        assertEquals(Line.State.STOPPED, line.state());
        assertTrue(app.await(2, () -> head.getSpeechWeight() == 0f), "eased back to idle");
        assertEquals(List.of("started pcm line", "finished pcm line STOPPED"), events.log);
        assertTrue(line.job.isCancelled());
    }

    /**
     * A producer delivering in real time, 20 ms chunks written as they complete (a TTS or voice chat feed), on
     * the committed pack's stream model: the first window is cut as soon as its {@code stream.window} frames of
     * audio have arrived and keeps {@code stream.hop} frames; the face shows the audio's time 0 at the line's
     * start plus {@link TalkingHead#STREAM_MODEL_DELAY}; docs/runtime.md states that it lags the audio by
     * {@code stream.window} frames + one window's compute + that delay. (Streams on full windows, from 1 s of
     * audio: {@code StreamModelServiceTest}.)
     */
    @Test
    void streamedPcmIsAnimatedOnTheStreamModelAsSoonAsAWindowHasArrived() throws Exception {
        Events events = new Events();
        long[] startedAt = new long[1];
        float[] firstMotion = new float[1];
        TalkingHead head = newHead(null, events);
        app.call(() -> {
            head.addListener(new LineListener() {
                @Override
                public void started(TalkingHead h, Line line) {
                    startedAt[0] = System.nanoTime();
                    firstMotion[0] = h.getBufferedAhead() + h.getPlaybackTime();
                }
            });
            return null;
        });
        SpeechStream stream = app.call(() -> head.sayStream(16000));
        float[] pcm = TestVoice.pcm(3.0, 16000);
        long t0 = System.nanoTime(); // the audio's time 0
        for (int i = 0; i < pcm.length; i += 320) {
            long due = t0 + (i + 320) * 1_000_000_000L / 16000;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            stream.write(pcm, i, Math.min(320, pcm.length - i));
        }
        stream.finish();
        assertTrue(app.await(10, () -> stream.line().state() == Line.State.FINISHED), stream.line().toString());
        assertEquals("started stream", events.log.get(0));
        assertEquals("finished stream FINISHED", events.log.get(events.log.size() - 1));
        assertTrue(stream.line().onStreamModel(), "a streamed line runs on the pack's stream model");
        StreamSpec spec = parley.manifest().stream();
        int fps = parley.manifest().motion().fps();
        double audioNeeded = spec.window() / (double) fps;
        double lag = (startedAt[0] - t0) / 1e9 + TalkingHead.STREAM_MODEL_DELAY;
        double compute = lag - audioNeeded - TalkingHead.STREAM_MODEL_DELAY;
        System.out.printf("stream model: the face lags the audio by %.3f s (%.2f s of audio + %.3f s compute and frame"
                + " + %.2f s); its first window covers %.2f s%n", lag, audioNeeded, compute,
                TalkingHead.STREAM_MODEL_DELAY, firstMotion[0]);
        // In whole frames: buffered ahead + playback time is a float sum.
        assertEquals(spec.hop(), Math.round(firstMotion[0] * (double) fps), "the first window keeps hop frames");
        assertTrue(compute >= 0, "the face cannot start before a window of audio has arrived: lag " + lag);
        // The compute part depends on the machine's load: a window is 15 tokens, tens of ms on one core.
        assertTrue(compute <= 1.0, "lag " + lag + " is a window of audio + the delay + more than 1 s of compute");
    }

    @Test
    void badAudioFailsThroughTheListenerAndOtherCharactersCarryOn() throws Exception {
        Events good = new Events();
        TalkingHead speaker = newHead(null, good);
        Line ok = app.call(() -> speaker.say(TestVoice.pcm(3.0, 16000), 16000));
        String[][] cases = {
            {"silent", "is silent"},
            {"empty", "is empty"},
            {"bits", "unsupported bit depth 12"},
            {"truncated", "is truncated"},
        };
        for (String[] c : cases) {
            LogCapture log = LogCapture.of(TalkingHead.class);
            Events events = new Events();
            TalkingHead head = newHead(null, events);
            Line line = app.call(() -> switch (c[0]) {
                case "silent" -> head.say(new float[16000 * 5], 16000);
                case "empty" -> head.say(new float[0], 16000);
                case "bits" -> head.say(new AudioNode(buffer(new float[100], 16000, 12, 1), new AudioKey("odd.wav")));
                default -> head.say(new AudioNode(truncated(), new AudioKey("cut.wav")));
            });
            assertTrue(app.await(10, () -> events.log.contains("failed " + line.name())), c[0] + ": " + line + " "
                    + events.log);
            assertTrue(line.error().getMessage().contains(c[1]), c[0] + ": " + line.error().getMessage());
            assertEquals(Line.State.FAILED, line.state());
            assertTrue(app.await(2, () -> head.getSpeechWeight() == 0f && !head.isSpeaking()));
            log.close();
            log.assertLogged(Level.WARNING, "cannot say '" + line.name() + "': '" + line.name() + "': " + c[1]);
        }
        assertTrue(app.await(15, () -> ok.state() == Line.State.FINISHED), "the other character finished: " + ok);
    }

    @Test
    void eachCharactersLinesCarryItsOwnFaceShape() throws Exception {
        HeadShape basis = HeadShape.load(app.getAssetManager(), TestAssets.HEAD_SPEC, spec);
        float[] beta = {1.5f, 0f, -0.8f, 0f, 0f, 1.2f};
        TalkingHead shaped = app.call(() -> {
            Spatial model = headModel.clone();
            basis.apply(model, spec, beta);
            app.getRootNode().attachChild(model);
            return parley.attach(model, spec, null);
        });
        TalkingHead plain = newHead(null, new Events());
        assertArrayEquals(beta, shaped.getShape(), "recorded by HeadShape.apply, read by attach");
        assertArrayEquals(new float[0], plain.getShape(), "the mean face");
        Line a = app.call(() -> shaped.say(TestVoice.pcm(1.0, 16000), 16000));
        Line b = app.call(() -> plain.say(TestVoice.pcm(1.0, 16000), 16000));
        assertArrayEquals(beta, a.job.shape());
        assertArrayEquals(new float[0], b.job.shape());

        float[] given = {0f, 2f};
        app.call(() -> {
            plain.setShape(given);
            given[1] = 9f; // copied: later changes to the caller's array do not reach the head
            return null;
        });
        assertArrayEquals(new float[] {0f, 2f}, plain.getShape());
        assertTrue(app.await(15, () -> !b.isActive()), "first line ended");
        Line c = app.call(() -> plain.say(TestVoice.pcm(1.0, 16000), 16000));
        assertArrayEquals(new float[] {0f, 2f}, c.job.shape());
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                () -> plain.setShape(new float[101]));
        assertEquals("'ParleyHead': the face shape (beta) has 101 components but pack 'parley-base-v1' is"
                + " conditioned on 100 (" + parley.manifest().source() + " shape.dim)", wide.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plain.setShape(new float[] {Float.NaN}));
        assertArrayEquals(new float[] {0f, 2f}, plain.getShape(), "a refused shape leaves the last one");
        assertTrue(app.await(15, () -> !a.isActive() && !c.isActive()), "lines ended");

        // A model whose recorded shape does not fit the pack cannot talk, and says why.
        try (LogCapture log = LogCapture.of(ParleyAppState.class)) {
            TalkingHead wideHead = app.call(() -> {
                Spatial model = headModel.clone();
                model.setName("Wide");
                float[] tooLong = new float[101];
                java.util.Arrays.fill(tooLong, 0.5f);
                model.setUserData(HeadShape.BETA_KEY, new BetaRecord(tooLong));
                return parley.attach(model, spec, null);
            });
            assertNull(wideHead.getFace());
            String expected = "'Wide' (recorded by HeadShape.apply): the face shape (beta) has 101 components";
            assertTrue(wideHead.getBindError().getMessage().startsWith(expected), wideHead.getBindError().getMessage());
            log.assertLogged(Level.WARNING, "Wide cannot talk: " + expected);
        }
    }

    @Test
    void mismatchedStylesFailWithTheirReason() throws Exception {
        LogCapture log = LogCapture.of(TalkingHead.class);
        Events dim = new Events();
        TalkingHead a = newHead(style("parley-base-v1", 64), dim);
        Line l1 = app.call(() -> a.say(TestVoice.pcm(1.0, 16000), 16000));
        assertTrue(app.await(5, () -> dim.log.size() == 1));
        assertEquals(Line.State.FAILED, l1.state());
        assertEquals("Npc.style.json: field 'dimension' is 64 but pack 'parley-base-v1' expects 128",
                l1.error().getMessage());
        Events pack = new Events();
        TalkingHead b = newHead(style("another-pack", 128), pack);
        Line l2 = app.call(() -> b.say(TestVoice.pcm(1.0, 16000), 16000));
        assertTrue(app.await(5, () -> pack.log.size() == 1));
        assertEquals(Line.State.FAILED, l2.state());
        assertTrue(l2.error().getMessage().contains("is 'another-pack' but the loaded pack is 'parley-base-v1'"),
                l2.error().getMessage());
        assertEquals(List.of("failed pcm line"), pack.log);
        log.close();
        log.assertLogged(Level.WARNING, "field 'dimension' is 64 but pack 'parley-base-v1' expects 128");
        log.assertLogged(Level.WARNING, "is 'another-pack' but the loaded pack is 'parley-base-v1'");
    }

    @Test
    void aRigMissingControlsFailsThroughTheListener() throws Exception {
        LogCapture log = LogCapture.of(ParleyAppState.class, TalkingHead.class);
        Events events = new Events();
        TalkingHead head = app.call(() -> {
            Node model = new Node("empty model");
            app.getRootNode().attachChild(model);
            return parley.attach(model, spec, null, events);
        });
        assertNull(head.getFace());
        assertTrue(app.await(5, () -> events.log.contains("failed -")), events.log.toString());
        assertTrue(events.error.getMessage().contains("blink_L") || events.error.getMessage().contains("morph"),
                events.error.getMessage());
        Line line = app.call(() -> head.say(TestVoice.pcm(1.0, 16000), 16000));
        assertTrue(app.await(5, () -> line.state() == Line.State.FAILED));
        assertNotNull(line.error());
        log.close();
        log.assertLogged(Level.WARNING,
                "Parley: empty model cannot talk: Model 'empty model' is missing morph target(s)");
        log.assertLogged(Level.WARNING, "Parley: empty model cannot say 'pcm line'");
    }

    @Test
    void aMissingPackFailsEveryLineAndTheGameRuns() throws Exception {
        LogCapture log = LogCapture.of(ParleyAppState.class, TalkingHead.class);
        ParleyAppState missing = new ParleyAppState(Path.of("no/such/pack"),
                ServiceSettings.defaults().withPreferCuda(false));
        app.call(() -> app.getStateManager().attach(missing));
        Events events = new Events();
        TalkingHead head = app.call(() -> {
            Spatial model = headModel.clone();
            app.getRootNode().attachChild(model);
            return missing.attach(model, spec, null, events);
        });
        Line line = app.call(() -> head.say(TestVoice.pcm(1.0, 16000), 16000));
        assertTrue(app.await(5, () -> line.state() == Line.State.FAILED));
        assertTrue(line.error().getMessage().contains("no model pack manifest there"), line.error().getMessage());
        // The idle face keeps living: breathing, head micro-motion and blinks change the pose over time
        // (a frozen face would keep the same frame).
        MotionFrame before = app.call(() -> new MotionFrame(head.getFace().getFrame().expressionCount())
                .set(head.getFace().getFrame()));
        float[] moved = new float[1];
        assertTrue(app.await(3, () -> {
            MotionFrame now = head.getFace().getFrame();
            moved[0] = Math.max(moved[0], distance(before, now));
            return now.isFinite() && moved[0] > 1e-4f;
        }), "idle face keeps moving: largest change " + moved[0]);
        app.call(() -> app.getStateManager().detach(missing));
        log.close();
        log.assertLogged(Level.SEVERE, "Parley cannot use the model pack: no/such/pack/manifest.json does not exist");
        log.assertLogged(Level.WARNING, "cannot say 'pcm line': no/such/pack/manifest.json does not exist");
    }

    @Test
    void nanFromTheModelFailsThatCharacterOnly() throws Exception {
        LogCapture log = LogCapture.of(TalkingHead.class);
        ParleyPack pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        // Rows whose style starts with 99 get NaN: only the character with that style.
        ParleyAppState faulty = new ParleyAppState(pack.manifest(),
                () -> new Networks(pack.audioEncoder(), (batch, x0) -> {
            pack.denoiser().predict(batch, x0);
            int w = batch.windowSize();
            for (int row = 0; row < batch.batch; row++) {
                if (batch.style[row * batch.dims.styleDim()] == 99f) {
                    x0[row * w + 17] = Float.NaN;
                }
            }
        }), pack, ServiceSettings.defaults());
        app.call(() -> app.getStateManager().attach(faulty));
        Events bad = new Events();
        Events good = new Events();
        TalkingHead[] heads = app.call(() -> {
            Spatial m1 = headModel.clone();
            Spatial m2 = headModel.clone();
            app.getRootNode().attachChild(m1);
            app.getRootNode().attachChild(m2);
            float[] e = new float[128];
            e[0] = 99f;
            return new TalkingHead[] {faulty.attach(m1, spec, new Style("bad.style.json", "Bad", "parley-base-v1", e),
                    bad),
                faulty.attach(m2, spec, null, good)};
        });
        Line l1 = app.call(() -> heads[0].say(TestVoice.pcm(2.0, 16000), 16000));
        Line l2 = app.call(() -> heads[1].say(TestVoice.pcm(2.0, 16000), 16000));
        assertTrue(app.await(10, () -> l1.state() == Line.State.FAILED), l1.toString());
        assertTrue(l1.error().getMessage().startsWith("'pcm line': denoiser produced NaN at window 0, frame "),
                l1.error().getMessage());
        assertTrue(app.await(10, () -> l2.state() == Line.State.FINISHED), l2.toString());
        assertTrue(app.await(2, () -> heads[0].getFace().getFrame().isFinite() && heads[0].getSpeechWeight() == 0f));
        app.call(() -> app.getStateManager().detach(faulty));
        // The worker closes the pack on its way out, after its last run.
        assertTrue(waitFor(10, pack::isClosed), "detaching closed the pack");
        assertTrue(waitFor(10, () -> !faulty.service().thread().isAlive()), "detaching stopped the worker");
        log.close();
        log.assertLogged(Level.WARNING, "cannot say 'pcm line': 'pcm line': denoiser produced NaN at window 0");
    }

    /** The largest difference between two frames' expression weights and joint rotations. */
    static float distance(MotionFrame a, MotionFrame b) {
        float d = 0f;
        for (int i = 0; i < a.expressionCount(); i++) {
            d = Math.max(d, Math.abs(a.expression(i) - b.expression(i)));
        }
        for (FaceJoint j : FaceJoint.values()) {
            d = Math.max(d, a.getRotation(j, new Vector3f()).distance(b.getRotation(j, new Vector3f())));
        }
        return d;
    }

    static AudioBuffer buffer(float[] mono, int rate, int bits, int channels) {
        AudioBuffer b = new AudioBuffer();
        int bytesPerSample = Math.max(1, bits / 8);
        ByteBuffer bb = BufferUtils.createByteBuffer(mono.length * channels * bytesPerSample)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (float v : mono) {
            for (int c = 0; c < channels; c++) {
                if (bits == 16) {
                    bb.putShort((short) Math.round(v * 32767));
                } else {
                    for (int k = 0; k < bytesPerSample; k++) {
                        bb.put((byte) 0);
                    }
                }
            }
        }
        bb.flip();
        b.setupFormat(channels, bits, rate);
        b.updateData(bb);
        return b;
    }

    static AudioBuffer truncated() {
        AudioBuffer b = new AudioBuffer();
        ByteBuffer bb = BufferUtils.createByteBuffer(1001);
        b.setupFormat(2, 16, 16000);
        b.updateData(bb);
        return b;
    }
}
