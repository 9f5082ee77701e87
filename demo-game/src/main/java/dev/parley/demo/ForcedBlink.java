package dev.parley.demo;

import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.scene.control.AbstractControl;
import dev.parley.app.TalkingHead;
import dev.parley.motion.MotionFrame;
import dev.parley.rig.FaceRig;
import dev.parley.util.Validate;

/**
 * One blink on cue, for the scripted mode's pictures (idle blinks come at random). {@link #start} adds it to the
 * spatial that runs the head's {@link TalkingHead}, after it, so that each update it closes both lids in the head's
 * live frame after the head has mixed it, and applies the frame to the rig again, for {@link #DURATION} seconds of
 * game time, then removes itself. (On the head's root it would run before the talker, which sits lower, on the
 * skinned spatial: the talker would then overwrite the blink with its idle motion every frame.)
 */
final class ForcedBlink extends AbstractControl {

    /** A blink's length in seconds: closing fast, opening slower. */
    static final float DURATION = 0.24f;

    private final FaceRig rig;
    private final MotionFrame frame;
    private final int left;
    private final int right;
    private float time;

    /**
     * @param talker the head that blinks (not null, bound to a face rig)
     * @param left the left blink's expression index in the head's frame (&ge;0)
     * @param right the right blink's expression index in the head's frame (&ge;0)
     */
    private ForcedBlink(TalkingHead talker, int left, int right) {
        Validate.nonNull(talker, "talker");
        if (talker.getFace() == null) {
            throw new IllegalArgumentException("head '" + talker.getName() + "' has no face rig to blink");
        }
        this.rig = talker.getFace().getRig();
        this.frame = talker.getFace().getFrame();
        this.left = Validate.inRange(left, 0, frame.expressionCount() - 1, "left");
        this.right = Validate.inRange(right, 0, frame.expressionCount() - 1, "right");
    }

    /**
     * Starts a blink now.
     *
     * @param talker the head that blinks (not null, bound to a face rig and added to a spatial)
     * @param left the left blink's expression index in the head's frame (&ge;0)
     * @param right the right blink's expression index in the head's frame (&ge;0)
     * @return the blink, added after the talker (not null)
     */
    static ForcedBlink start(TalkingHead talker, int left, int right) {
        ForcedBlink blink = new ForcedBlink(talker, left, right);
        if (talker.getSpatial() == null) {
            throw new IllegalArgumentException("head '" + talker.getName() + "' is not on a spatial");
        }
        talker.getSpatial().addControl(blink); // the end of the list: after the talker
        return blink;
    }

    @Override
    protected void controlUpdate(float tpf) {
        time += tpf;
        float u = time / DURATION;
        if (u >= 1f) {
            spatial.removeControl(this);
            return;
        }
        float closed = u < 0.35f ? u / 0.35f : 1f - (u - 0.35f) / 0.65f;
        float w = Math.min(1f, 1.3f * closed); // held shut a moment at the middle
        frame.setExpression(left, Math.max(frame.expression(left), w));
        frame.setExpression(right, Math.max(frame.expression(right), w));
        rig.apply(frame);
    }

    @Override
    protected void controlRender(RenderManager rm, ViewPort vp) {
    }
}
