package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.AnimClip;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.anim.FaceClips;
import dev.parley.head.HeadSpec;
import dev.parley.head.MotionLayout;
import dev.parley.motion.EnergyJaw;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.motion.SpeechMixer;
import dev.parley.rig.RigNames;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link TalkingHead}'s motion sources other than the model, on the real head in a real (headless)
 * application with no model pack at all: the energy jaw and a baked clip go through the head's one
 * clock and mixer (no audio renderer here, so the fallback clock), start and finish like model lines,
 * and fade back to idle.
 */
class MotionSourceTest {

    static HeadlessApp app;
    static ParleyAppState parley;
    static HeadSpec spec;
    static Spatial headModel;
    /** What the test's head told its listener. */
    final ParleyAppStateTest.Events events = new ParleyAppStateTest.Events();
    /** A fresh head for each test, on a clone of the model. */
    TalkingHead head;

    @BeforeAll
    static void start() throws Exception {
        app = HeadlessApp.start(60);
        try (LogCapture log = LogCapture.of(ParleyAppState.class)) {
            parley = new ParleyAppState(Path.of("no/such/pack"), ServiceSettings.defaults().withPreferCuda(false));
            log.assertLogged(Level.SEVERE, "no/such/pack");
        }
        app.call(() -> app.getStateManager().attach(parley));
        spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
        headModel = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
    }

    @BeforeEach
    void newHead() throws Exception {
        head = app.call(() -> {
            Spatial model = headModel.clone();
            app.getRootNode().attachChild(model);
            return parley.attach(model, spec, null, events);
        });
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** One frame's reading: the line's clock, the speech weight, the face's jaw opening and the wall clock. */
    private record Sample(float time, float weight, float jaw, boolean active, long nanos) {
    }

    /** Reads the head once per frame until its line ends and the face is back to idle. */
    private static List<Sample> follow(TalkingHead head, Line line) throws Exception {
        List<Sample> samples = new ArrayList<>();
        assertTrue(app.await(20, () -> {
            float jaw = head.getFace().getFrame().getRotation(FaceJoint.JAW, new Vector3f()).x;
            samples.add(new Sample(head.getPlaybackTime(), head.getSpeechWeight(), jaw, line.isActive(),
                    System.nanoTime()));
            return !line.isActive() && head.getSpeechWeight() == 0f;
        }), "line ended and the face went back to idle: " + line);
        return samples;
    }

    @Test
    void anEnergyJawFollowsTheLinesLoudnessOnTheHeadsClockAndFadesOut() throws Exception {
        int rate = 22050;
        float[] voice = TestVoice.pcm(1.0, rate);
        float[] pcm = new float[3 * rate]; // voice, a second of silence, voice
        System.arraycopy(voice, 0, pcm, 0, rate);
        System.arraycopy(voice, 0, pcm, 2 * rate, rate);
        MotionSource source = MotionSource.energyJaw(new EnergyJaw.Tuning(1f, Map.of(), Map.of()));
        Line line = app.call(() -> {
            head.setMotionSource(source);
            return head.say(pcm, rate);
        });
        List<Sample> samples = follow(head, line);

        assertEquals(Line.State.FINISHED, line.state(), "the line played to its end: " + line);
        assertEquals(List.of("started pcm line", "finished pcm line FINISHED"), events.log);
        float end = 0f;
        float gap = 0f; // the longest time between two readings: what a loaded machine adds to each bound
        for (int i = 1; i < samples.size(); i++) {
            gap = Math.max(gap, (samples.get(i).nanos() - samples.get(i - 1).nanos()) / 1e9f);
        }
        double voiced = 0;
        double silent = 0;
        int nVoiced = 0;
        int nSilent = 0;
        for (Sample s : samples) {
            if (s.active()) {
                end = Math.max(end, s.time());
            }
            boolean full = s.active() && s.weight() == 1f;
            if (full && (s.time() > 0.2f && s.time() < 0.9f || s.time() > 2.2f && s.time() < 2.9f)) {
                voiced += Math.abs(s.jaw());
                nVoiced++;
            } else if (full && s.time() > 1.3f && s.time() < 1.9f) {
                silent += Math.abs(s.jaw());
                nSilent++;
            }
        }
        String report = String.format("jaw %.4f rad voiced (%d frames), %.4f rad in the pause (%d frames);"
                + " last time %.2f s; readings at most %.3f s apart", voiced / nVoiced, nVoiced, silent / nSilent,
                nSilent, end, gap);
        System.out.println("energy jaw on TalkingHead: " + report);
        assertTrue(nVoiced >= 5 && nSilent >= 3, "frames in both parts: " + report);
        assertTrue(voiced / nVoiced > 0.02, "the jaw opens while the line is voiced: " + report);
        assertTrue(silent / nSilent < 0.1 * voiced / nVoiced,
                "and closes in its pause, on the line's clock: " + report);
        assertTrue(end > 2.95f - gap && end < 3.05f + gap, "the line ends with its audio (3 s): " + report);
        Sample last = samples.get(samples.size() - 1);
        assertEquals(0f, last.weight(), "faded out");
        assertTrue(Math.abs(last.jaw()) < 0.01f, "the jaw is back at rest: " + last);
        long lastActive = 0;
        long idle = 0;
        for (Sample s : samples) {
            lastActive = s.active() ? s.nanos() : lastActive;
            idle = idle == 0 && !s.active() && s.weight() == 0f ? s.nanos() : idle;
        }
        float fade = (idle - lastActive) / 1e9f;
        assertTrue(fade > SpeechMixer.RAMP - gap && fade < SpeechMixer.RAMP + 2 * gap,
                "eased out over the mixer's ramp (" + SpeechMixer.RAMP + " s): " + fade + " s; " + report);
    }

    @Test
    void anEnergyJawFollowsAStreamAsItArrivesAndStoppingItDropsLaterWrites() throws Exception {
        int rate = 16000;
        float[] voice = TestVoice.pcm(1.0, rate);
        SpeechStream stream = app.call(() -> {
            head.setMotionSource(MotionSource.energyJaw(EnergyJaw.Tuning.NEUTRAL));
            return head.sayStream(rate);
        });
        float[] opened = new float[1];
        int chunk = rate / 50; // 20 ms, as a microphone delivers
        for (int at = 0; at < voice.length; at += chunk) {
            stream.write(voice, at, chunk);
            Thread.sleep(20);
            app.call(() -> opened[0] = Math.max(opened[0],
                    head.getFace().getFrame().getRotation(FaceJoint.JAW, new Vector3f()).x));
        }
        assertEquals(Line.State.SPEAKING, stream.line().state(), "speaking while the audio arrives");
        assertTrue(opened[0] > 0.05f, "the jaw opened with the streamed voice: " + opened[0]);
        app.call(() -> {
            head.stop();
            return null;
        });
        long before = stream.samplesWritten();
        stream.write(voice, 0, chunk);
        assertEquals(before, stream.samplesWritten(), "a stopped stream drops later audio");
        assertTrue(app.await(5, () -> events.log.contains("finished stream STOPPED")), "stopped once: " + events.log);
        assertEquals(List.of("started stream", "finished stream STOPPED"), events.log);
    }

    @Test
    void aBakedClipSourcePlaysAFaceClipsClip() throws Exception {
        MotionLayout layout = spec.motionLayout();
        int frames = 50; // 2 s at 25 fps: the jaw opens and closes twice, expression 3 ramps up
        int jaw = layout.slice("jaw").offset();
        int expression = layout.slice("expression").offset() + 3;
        float[] motion = new float[frames * layout.dim()];
        for (int k = 0; k < frames; k++) {
            motion[k * layout.dim() + jaw] = 0.2f * (float) Math.abs(Math.sin(Math.PI * k / 25.0));
            motion[k * layout.dim() + expression] = k / (float) frames;
        }
        Spatial model = head.getFace().getRig().getModel();
        RigNames names = RigNames.fromSpec(spec);
        AnimClip clip = app.call(() -> FaceClips.build("baked", motion, frames, layout, model, names));
        Line line = app.call(() -> {
            head.setMotionSource(MotionSource.baked(clip));
            return head.say(new float[2 * 16000], 16000); // the clip's audio: silence, the clock is what counts
        });
        float[] worst = new float[2];
        int[] checked = new int[1];
        assertTrue(app.await(20, () -> {
            float t = head.getPlaybackTime();
            if (line.isActive() && head.getSpeechWeight() == 1f && t < 1.95f) {
                float f = Math.min(t * 25f, frames - 1);
                int k = (int) f;
                int k1 = Math.min(k + 1, frames - 1);
                MotionFrame face = head.getFace().getFrame();
                float wantJaw = lerp(motion[k * layout.dim() + jaw], motion[k1 * layout.dim() + jaw], f - k);
                float wantExpr = lerp(motion[k * layout.dim() + expression], motion[k1 * layout.dim() + expression],
                        f - k);
                worst[0] = Math.max(worst[0], Math.abs(face.getRotation(FaceJoint.JAW, new Vector3f()).x - wantJaw));
                worst[1] = Math.max(worst[1], Math.abs(face.expression(3) - wantExpr));
                checked[0]++;
            }
            return !line.isActive();
        }), "the clip's line ended: " + line);
        System.out.printf("baked clip on TalkingHead: %d frames checked, worst jaw error %.2e rad,"
                + " worst expression error %.2e%n", checked[0], worst[0], worst[1]);
        assertEquals(Line.State.FINISHED, line.state(), "played to its end: " + line);
        assertTrue(checked[0] >= 10, "frames checked at full speech weight: " + checked[0]);
        assertTrue(worst[0] < 1e-4f, "the face's jaw is the clip's at the line's time: " + worst[0]);
        assertTrue(worst[1] < 1e-4f, "the face's expression is the clip's: " + worst[1]);
    }

    @Test
    void aDetachedClipFailsItsLineWithWhatToDo() throws Exception {
        MotionLayout layout = spec.motionLayout();
        Spatial model = head.getFace().getRig().getModel();
        AnimClip clip = app.call(() -> FaceClips.detached(FaceClips.build("baked", new float[10 * layout.dim()], 10,
                layout, model, RigNames.fromSpec(spec))));
        try (LogCapture log = LogCapture.of(TalkingHead.class)) {
            Line line = app.call(() -> {
                head.setMotionSource(MotionSource.baked(clip));
                return head.say(new float[16000], 16000);
            });
            assertTrue(app.await(5, () -> line.state() == Line.State.FAILED), "failed: " + line);
            String message = line.error().getMessage();
            assertTrue(message.contains("retarget it to the head's model"), message);
            log.assertLogged(Level.WARNING, "retarget it to the head's model");
        }
        assertTrue(app.await(5, () -> events.log.contains("failed pcm line")), "the listener heard it: " + events.log);
    }

    @Test
    void aGameSourceThatThrowsWhileDrainingFailsItsLineNotTheGame() throws Exception {
        failsItsLineNotTheGame(BrokenMotion.source(spec.motionLayout(), null, "the game's source broke", null, null),
                16000, "the game's source broke");
    }

    @Test
    void aGameSourceThatThrowsOnPlayheadAndCancelFailsItsLineNotTheGame() throws Exception {
        failsItsLineNotTheGame(BrokenMotion.source(spec.motionLayout(), null, null, "the game's playhead broke",
                "the game's cancel broke"), 32000, "the game's playhead broke", "the game's cancel broke");
    }

    /** The broken source's line fails with the first error, each error is logged, and the next line plays. */
    private void failsItsLineNotTheGame(MotionSource broken, int samples, String error, String... alsoLogged)
            throws Exception {
        try (LogCapture log = LogCapture.of(TalkingHead.class)) {
            Line line = app.call(() -> {
                head.setMotionSource(broken);
                return head.say(new float[samples], 16000);
            });
            assertTrue(app.await(5, () -> line.state() == Line.State.FAILED), "failed: " + line);
            assertEquals(error, line.error().getMessage());
            log.assertLogged(Level.WARNING, error);
            for (String also : alsoLogged) {
                log.assertLogged(Level.WARNING, also);
            }
        }
        assertTrue(app.await(5, () -> events.log.contains("failed pcm line")), "the listener heard it: " + events.log);
        // The update loop went on: the next line, from a working source, plays to its end.
        Line next = app.call(() -> {
            head.setMotionSource(MotionSource.energyJaw(EnergyJaw.Tuning.NEUTRAL));
            return head.say(TestVoice.pcm(0.5, 16000), 16000);
        });
        assertTrue(app.await(10, () -> next.state() == Line.State.FINISHED), "finished: " + next);
    }

    @Test
    void aGameSourceThatThrowsOnLayoutAndCancelFailsItsLineWithoutThrowingFromSay() throws Exception {
        MotionSource broken = BrokenMotion.source(spec.motionLayout(), "the game's layout broke", null, null,
                "the game's cancel broke");
        try (LogCapture log = LogCapture.of(TalkingHead.class)) {
            Line line = app.call(() -> {
                head.setMotionSource(broken);
                return head.say(new float[16000], 16000);
            });
            assertEquals(Line.State.FAILED, line.state(), "failed at once: " + line);
            assertEquals("the game's layout broke", line.error().getMessage());
            log.assertLogged(Level.WARNING, "the game's cancel broke");
        }
        assertTrue(app.await(5, () -> events.log.contains("failed pcm line")), "the listener heard it: " + events.log);
    }

    /** A game's motion whose calls throw the given messages (null: that call works; drain gives 50 frames). */
    private record BrokenMotion(MotionLayout frames, String layoutError, String drainError, String playheadError,
            String cancelError) implements MotionSource.Motion {

        static MotionSource source(MotionLayout frames, String layoutError, String drainError, String playheadError,
                String cancelError) {
            return start -> new BrokenMotion(frames, layoutError, drainError, playheadError, cancelError);
        }

        private static void fail(String error) {
            if (error != null) {
                throw new IllegalStateException(error);
            }
        }

        @Override
        public MotionLayout layout() {
            fail(layoutError);
            return frames;
        }

        @Override
        public boolean drainInto(dev.parley.motion.MotionTrack track) {
            fail(drainError);
            if (track.frameCount() == 0) {
                track.append(new float[50 * frames.dim()], 0, 50);
            }
            return true;
        }

        @Override
        public void setPlayhead(float seconds) {
            fail(playheadError);
        }

        @Override
        public void cancel() {
            fail(cancelError);
        }
    }

    private static float lerp(float a, float b, float t) {
        return a + t * (b - a);
    }
}
