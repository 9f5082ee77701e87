package dev.parley.motion;

import com.jme3.math.Vector3f;
import dev.parley.util.Validate;

/**
 * Blends speech into the idle face and back out without pops: a speech weight eases toward 1 while a
 * line has motion and toward 0 otherwise (before it starts, after it ends, when it is stopped or
 * fails, or when generation falls behind playback), along a smoothstep over {@link #RAMP} seconds.
 *
 * <p>Expressions and the jaw blend linearly from idle to speech; head rotation and blinks add speech
 * on top of the idle motion (the face keeps breathing and blinking while it talks); eyes stay the
 * idle motion's (gaze is added by the caller). Render thread only.
 */
public final class SpeechMixer {

    /** Seconds to blend fully in or out. */
    public static final float RAMP = 0.2f;

    private final int blinkL;
    private final int blinkR;
    private float ramp;
    private final Vector3f a = new Vector3f();
    private final Vector3f b = new Vector3f();

    /**
     * @param blinkL the expression index of the left blink, or -1
     * @param blinkR the expression index of the right blink, or -1
     */
    public SpeechMixer(int blinkL, int blinkR) {
        this.blinkL = blinkL;
        this.blinkR = blinkR;
    }

    /**
     * Moves the blend toward speech or idle.
     *
     * @param tpf seconds since the last update (&ge;0)
     * @param speaking true if speech motion should show
     */
    public void update(float tpf, boolean speaking) {
        float delta = Math.max(0f, tpf) / RAMP;
        ramp = speaking ? Math.min(1f, ramp + delta) : Math.max(0f, ramp - delta);
    }

    /** @return the current speech weight in [0, 1] (smoothstep of the ramp) */
    public float weight() {
        return ramp * ramp * (3f - 2f * ramp);
    }

    /** Jumps to idle (no speech) at once. */
    public void reset() {
        ramp = 0f;
    }

    /**
     * Writes the blend of idle and speech.
     *
     * @param idle the idle pose (not null, unaffected)
     * @param speech the speech pose (not null, unaffected)
     * @param out receives the blend (not null, modified; may be neither input)
     */
    public void mix(MotionFrame idle, MotionFrame speech, MotionFrame out) {
        Validate.nonNull(idle, "idle");
        Validate.nonNull(speech, "speech");
        Validate.nonNull(out, "out");
        float w = weight();
        out.interpolate(idle, speech, w);
        addBlink(blinkL, idle, speech, w, out);
        addBlink(blinkR, idle, speech, w, out);
        idle.getRotation(FaceJoint.HEAD, a);
        speech.getRotation(FaceJoint.HEAD, b);
        out.setRotation(FaceJoint.HEAD, a.x + w * b.x, a.y + w * b.y, a.z + w * b.z);
        idle.getRotation(FaceJoint.EYE_L, a);
        out.setRotation(FaceJoint.EYE_L, a.x, a.y, a.z);
        idle.getRotation(FaceJoint.EYE_R, a);
        out.setRotation(FaceJoint.EYE_R, a.x, a.y, a.z);
    }

    private static void addBlink(int index, MotionFrame idle, MotionFrame speech, float w, MotionFrame out) {
        if (index >= 0) {
            float v = idle.expression(index) + w * speech.expression(index);
            out.setExpression(index, Math.max(-1f, Math.min(1f, v)));
        }
    }
}
