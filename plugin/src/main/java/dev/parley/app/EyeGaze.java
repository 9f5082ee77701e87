package dev.parley.app;

import com.jme3.anim.Joint;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.rig.FaceRig;

/**
 * Points a face's eyes at a target in the world. Each eye turns from its rest direction (the head's
 * forward axis, +Z in model space) toward the target by the shortest rotation, at most
 * {@link #MAX_ANGLE}, easing there in about 60 ms; the idle motion's small saccades ride on top.
 * Render thread only.
 */
final class EyeGaze {

    /** The most an eye turns from rest (radians, about 35 degrees); farther targets are not followed. */
    static final float MAX_ANGLE = 0.6f;
    private static final float TIME_CONSTANT = 0.06f;

    private final FaceRig rig;
    private final Spatial space;
    private final float[] current = new float[6];
    private final float[] goal = new float[6];
    private final Vector3f target = new Vector3f();
    private final Vector3f tmp = new Vector3f();
    private final Vector3f forward = new Vector3f();
    private final Quaternion frame = new Quaternion();
    private final Quaternion inverse = new Quaternion();
    private boolean hasTarget;

    /**
     * @param rig the bound rig (not null)
     */
    EyeGaze(FaceRig rig) {
        this.rig = rig;
        this.space = rig.getSkinnedSpatial() != null ? rig.getSkinnedSpatial() : rig.getModel();
    }

    /** @param worldTarget where to look (not null, unaffected: copied), or null to look ahead */
    void lookAt(Vector3f worldTarget) {
        hasTarget = worldTarget != null;
        if (hasTarget) {
            target.set(worldTarget);
        }
    }

    /** @return the current target (a copy), or null when looking ahead */
    Vector3f target() {
        return hasTarget ? target.clone() : null;
    }

    /**
     * Adds the gaze to the eye rotations already in a frame (the idle saccades).
     *
     * @param tpf seconds since the last update
     * @param out the frame to modify (not null)
     */
    void apply(float tpf, MotionFrame out) {
        aim(FaceJoint.EYE_L, 0);
        aim(FaceJoint.EYE_R, 3);
        float k = 1f - FastMath.exp(-Math.max(0f, tpf) / TIME_CONSTANT);
        for (int i = 0; i < 6; i++) {
            current[i] += k * (goal[i] - current[i]);
        }
        add(out, FaceJoint.EYE_L, 0);
        add(out, FaceJoint.EYE_R, 3);
    }

    private void add(MotionFrame out, FaceJoint eye, int o) {
        out.getRotation(eye, tmp);
        out.setRotation(eye, tmp.x + current[o], tmp.y + current[o + 1], tmp.z + current[o + 2]);
    }

    /** Sets goal[o..o+2] to the axis-angle turning the eye's rest direction toward the target. */
    private void aim(FaceJoint eye, int o) {
        goal[o] = goal[o + 1] = goal[o + 2] = 0f;
        Joint joint = rig.getJoint(eye);
        if (!hasTarget || joint == null) {
            return;
        }
        // The eye's frame without gaze: parent model rotation x bind local rotation.
        Joint parent = joint.getParent();
        Quaternion parentRotation = parent != null ? parent.getModelTransform().getRotation() : Quaternion.IDENTITY;
        Vector3f parentTranslation = parent != null ? parent.getModelTransform().getTranslation() : Vector3f.ZERO;
        Vector3f parentScale = parent != null ? parent.getModelTransform().getScale() : Vector3f.UNIT_XYZ;
        parentRotation.mult(joint.getInitialTransform().getRotation(), frame);
        inverse.set(frame).inverseLocal();
        // Eye centre in model space.
        Vector3f centre = parentRotation.mult(joint.getInitialTransform().getTranslation().mult(parentScale),
                new Vector3f())
                .addLocal(parentTranslation);
        space.worldToLocal(target, tmp).subtractLocal(centre);
        if (tmp.lengthSquared() < 1e-12f) {
            return;
        }
        inverse.mult(tmp.normalizeLocal(), tmp);
        // Rest direction: the head's forward, seen from the eye's frame.
        inverse.mult(parentRotation.mult(Vector3f.UNIT_Z, forward), forward).normalizeLocal();
        float angle = FastMath.acos(FastMath.clamp(forward.dot(tmp), -1f, 1f));
        if (angle < 1e-5f || angle > MAX_ANGLE) {
            return;
        }
        Vector3f axis = forward.cross(tmp).normalizeLocal();
        goal[o] = axis.x * angle;
        goal[o + 1] = axis.y * angle;
        goal[o + 2] = axis.z * angle;
    }
}
