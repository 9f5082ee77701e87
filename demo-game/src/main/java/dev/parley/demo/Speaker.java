package dev.parley.demo;

import com.jme3.audio.AudioNode;
import com.jme3.audio.AudioSource;
import com.jme3.bounding.BoundingBox;
import com.jme3.math.Vector3f;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import dev.parley.app.TalkingHead;
import dev.parley.audio.PcmClip;
import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.IdleMotion;
import dev.parley.motion.MotionFrame;
import dev.parley.motion.MotionTrack;
import dev.parley.rig.FaceRigControl;
import dev.parley.util.Validate;

/**
 * One demo character at run time: its head's face control, idle motion (blinks, breathing, gaze)
 * always on, and speech motion from a {@link SpeechDriver} layered on top while it talks. Speech
 * time follows the audio's playback position when there is an audio renderer, else its own clock.
 *
 * <p>With the model driver the character's {@link TalkingHead} owns the face instead (its own idle
 * motion, speech mixing and audio clock): {@link #setModelMode(boolean)} enables it and this class
 * then only plays the line's sound once the face starts moving. Render thread only.
 */
public final class Speaker {

    private static final float FADE_SECONDS = 0.15f;
    private static final float LIVE_LATENCY = 0.08f; // microphone: stay this far behind the newest frame

    private final CharacterProfile profile;
    private final Node node;
    private final Spatial head;
    private final FaceRigControl face;
    private final TalkingHead talker;
    private final IdleMotion idle;
    private final MotionTrack track;
    private final MotionFrame speech;
    private final BoundingBox mouthBox;
    private final Vector3f scratch = new Vector3f();
    private final Vector3f scratch2 = new Vector3f();
    private StylePreset style;
    private SpeechDriver.Job job;
    private AudioNode audio;
    private float clock;
    private float duration;
    private boolean live;
    private boolean jobDone;
    private boolean audioPending;
    private boolean modelMode;
    private float weight;

    /**
     * @param profile who the character is (not null)
     * @param node the character's root node, body and head attached (not null)
     * @param head the head model (not null, bound to {@code face})
     * @param face the head's face control (not null)
     * @param talker the head's Parley runtime character, bound to the same face (null: energy jaw only);
     *     disabled until {@link #setModelMode(boolean)}
     * @param spec the head's spec (not null)
     * @param mouthBox the lips' bounding box in the head's model space (not null, unaffected)
     * @param seed the idle motion's seed
     */
    public Speaker(CharacterProfile profile, Node node, Spatial head, FaceRigControl face, TalkingHead talker, HeadSpec spec, BoundingBox mouthBox,
            long seed) {
        this.profile = Validate.nonNull(profile, "profile");
        this.node = Validate.nonNull(node, "node");
        this.head = Validate.nonNull(head, "head");
        this.face = Validate.nonNull(face, "face");
        this.talker = talker;
        if (talker != null) {
            talker.setEnabled(false);
        }
        Validate.nonNull(spec, "spec");
        this.mouthBox = (BoundingBox) Validate.nonNull(mouthBox, "mouthBox").clone();
        this.style = StylePreset.named(profile.style());
        idle = new IdleMotion(seed, spec.expressionNames().indexOf("blink_L"), spec.expressionNames().indexOf("blink_R"),
                spec.expressionNames().indexOf("lip_close"));
        track = new MotionTrack(spec.motionLayout(), 256);
        speech = new MotionFrame(spec.expressionNames().size());
    }

    /**
     * Says a line: plays its audio (if {@code audio} is not null) and animates it with the driver.
     * Anything the character was saying stops.
     *
     * @param clip the line's PCM (not null, unaffected)
     * @param audio the line's own audio node, attached to the scene; detached when done (null without an audio renderer)
     * @param driver turns the audio into motion (not null)
     * @param settings style and sampling settings (not null)
     */
    public void say(PcmClip clip, AudioNode audio, SpeechDriver driver, SpeechSettings settings) {
        Validate.nonNull(clip, "clip");
        begin(driver, settings, clip.sampleRate(), false);
        job.feed(clip.samples(), 0, clip.samples().length);
        job.finish();
        duration = clip.duration();
        this.audio = audio;
        audioPending = audio != null;
        startAudioWhenReady();
    }

    private void startAudioWhenReady() {
        if (audioPending && job != null && job.started()) {
            audioPending = false;
            audio.play();
        }
    }

    /**
     * Starts following live audio (a microphone): feed it through the returned job.
     *
     * @param driver turns the audio into motion (not null)
     * @param settings style and sampling settings (not null)
     * @param sampleRate the microphone's rate (&gt;0)
     * @return the job to feed (not null; call {@link #stop()} to end)
     */
    public SpeechDriver.Job listen(SpeechDriver driver, SpeechSettings settings, int sampleRate) {
        begin(driver, settings, sampleRate, true);
        live = true;
        duration = Float.MAX_VALUE;
        return job;
    }

    private void begin(SpeechDriver driver, SpeechSettings settings, int sampleRate, boolean live) {
        Validate.nonNull(driver, "driver");
        Validate.nonNull(settings, "settings");
        stop();
        style = settings.style();
        job = driver.start(this, sampleRate, settings, live);
        track.clear();
        clock = 0f;
        jobDone = false;
    }

    /** Stops talking (audio and motion); the face eases back to idle. */
    public void stop() {
        if (job != null) {
            job.cancel();
            job = null;
        }
        releaseAudio();
        live = false;
        duration = 0f;
    }

    private void releaseAudio() {
        audioPending = false;
        if (audio != null) {
            audio.stop();
            audio.removeFromParent();
            audio = null;
        }
    }

    /** @return true while a line or live audio is being animated */
    public boolean isTalking() {
        return job != null;
    }

    /**
     * Advances idle and speech motion and writes the face's frame.
     *
     * @param tpf seconds since the last frame (&ge;0)
     */
    public void update(float tpf) {
        float dt = Math.min(tpf, 0.1f); // the first frame carries loading time
        if (modelMode) {
            if (job != null) {
                startAudioWhenReady();
                if (job.drainInto(track)) {
                    job = null;
                    releaseAudio();
                }
            }
            return; // the talking head poses the face
        }
        MotionFrame frame = face.getFrame();
        frame.setNeutral();
        idle.update(dt, frame);
        if (job != null) {
            jobDone |= job.drainInto(track);
            clock += dt;
            float t = speechTime();
            if (!live && jobDone && t > Math.max(duration, track.duration()) + FADE_SECONDS) {
                job = null;
                releaseAudio();
            }
        }
        weight = job != null ? Math.min(1f, weight + dt / FADE_SECONDS) : Math.max(0f, weight - dt / FADE_SECONDS);
        if (weight > 0f && track.sample(speechTime(), speech)) {
            for (int i = 0; i < speech.expressionCount(); i++) {
                frame.setExpression(i, frame.expression(i) + weight * speech.expression(i));
            }
            speech.getRotation(FaceJoint.JAW, scratch).multLocal(weight);
            frame.setRotation(FaceJoint.JAW, scratch.x, scratch.y, scratch.z);
            frame.getRotation(FaceJoint.HEAD, scratch2).addLocal(speech.getRotation(FaceJoint.HEAD, scratch).multLocal(weight));
            frame.setRotation(FaceJoint.HEAD, scratch2.x, scratch2.y, scratch2.z);
        }
    }

    private float speechTime() {
        if (live) {
            return Math.max(0f, track.duration() - LIVE_LATENCY);
        }
        if (audio != null && audio.getStatus() == AudioSource.Status.Playing) {
            return audio.getPlaybackTime();
        }
        return clock;
    }

    /**
     * Switches between the model (the {@link TalkingHead} poses the face) and the energy jaw (this
     * class poses it). Stops any line.
     *
     * @param model true for the model (ignored without a talking head)
     */
    public void setModelMode(boolean model) {
        stop();
        modelMode = model && talker != null;
        if (talker != null) {
            talker.setEnabled(modelMode);
        }
        weight = 0f;
    }

    /** @return true while the talking head poses the face */
    public boolean isModelMode() {
        return modelMode;
    }

    /** @return the character's Parley runtime head, or null if the pack could not be used */
    public TalkingHead talker() {
        return talker;
    }

    /**
     * Sets the character's style preset (for the next lines and for saving).
     *
     * @param preset the preset (not null)
     */
    public void setStyle(StylePreset preset) {
        style = Validate.nonNull(preset, "preset");
    }

    /** @return who the character is (not null) */
    public CharacterProfile profile() {
        return profile;
    }

    /** @return the style preset in use (the profile's until a line sets another; not null) */
    public StylePreset style() {
        return style;
    }

    /** @return the character's root node (not null) */
    public Node node() {
        return node;
    }

    /** @return the head model (not null) */
    public Spatial head() {
        return head;
    }

    /** @return the face control (not null) */
    public FaceRigControl face() {
        return face;
    }

    /**
     * @param store receives the mouth's centre in world space (not null, modified)
     * @return {@code store}
     */
    public Vector3f mouthCenter(Vector3f store) {
        return head.localToWorld(mouthBox.getCenter(), store);
    }

    /**
     * The 8 corners of the lips' box, a little deeper below for the open jaw, in world space.
     *
     * @return new corner points (not null)
     */
    public Vector3f[] mouthCorners() {
        Vector3f c = mouthBox.getCenter();
        float x = mouthBox.getXExtent();
        float y = mouthBox.getYExtent();
        float z = mouthBox.getZExtent();
        Vector3f[] out = new Vector3f[8];
        for (int i = 0; i < 8; i++) {
            Vector3f local = new Vector3f(c.x + ((i & 1) == 0 ? -x : x), c.y + ((i & 2) == 0 ? -y - 0.015f : y), c.z + ((i & 4) == 0 ? -z : z));
            out[i] = head.localToWorld(local, null);
        }
        return out;
    }

    @Override
    public String toString() {
        return profile.name();
    }
}
