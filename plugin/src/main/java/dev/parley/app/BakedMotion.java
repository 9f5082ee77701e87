package dev.parley.app;

import com.jme3.anim.AnimClip;
import com.jme3.anim.AnimTrack;
import com.jme3.anim.Joint;
import com.jme3.anim.MorphTrack;
import com.jme3.anim.TransformTrack;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.head.MotionLayout;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionTrack;
import dev.parley.rig.RigNames;
import java.util.List;

/**
 * {@link MotionSource#baked}: a {@link dev.parley.anim.FaceClips} clip read back into motion frames
 * (the inverse of {@code FaceClips.build}): each morph track's weights by target name, each joint
 * track's rotation relative to the joint's bind rotation as axis-angle.
 */
final class BakedMotion implements MotionSource.Motion {

    /** The source: one clip. */
    record Source(AnimClip clip) implements MotionSource {
        @Override
        public MotionSource.Motion start(LineStart start) {
            return frames(clip, start.names());
        }
    }

    private final MotionLayout layout;
    private final float[] motion;
    private final int frames;
    private boolean handed;

    private BakedMotion(MotionLayout layout, float[] motion, int frames) {
        this.layout = layout;
        this.motion = motion;
        this.frames = frames;
    }

    /** Reads a clip's keyframes into frames of the face layout; throws naming what does not fit. */
    static BakedMotion frames(AnimClip clip, RigNames names) {
        AnimTrack<?>[] tracks = clip.getTracks();
        if (tracks == null || tracks.length == 0) {
            throw new IllegalArgumentException("baked clip '" + clip.getName() + "' has no tracks");
        }
        float[] times = times(tracks[0]);
        int frames = times.length;
        int fps = frames > 1 ? Math.round(1f / (times[1] - times[0])) : 25;
        List<String> expressions = names.morphTargets();
        MotionLayout layout = MotionLayout.face(expressions.size(), fps, names.joint(FaceJoint.JAW),
                names.joint(FaceJoint.HEAD));
        int dim = layout.dim();
        float[] motion = new float[frames * dim];
        Quaternion inverseBind = new Quaternion();
        Quaternion delta = new Quaternion();
        Vector3f axis = new Vector3f();
        for (AnimTrack<?> track : tracks) {
            if (times(track).length != frames) {
                throw new IllegalArgumentException("baked clip '" + clip.getName() + "': track " + track + " has "
                        + times(track).length + " keyframes but the first track has " + frames);
            }
            if (track instanceof MorphTrack m) {
                Geometry g = m.getTarget();
                MorphTarget[] targets = g.getMesh().getMorphTargets();
                if (targets.length != m.getNbMorphTargets()) {
                    throw new IllegalArgumentException("baked clip '" + clip.getName() + "' targets geometry '"
                            + g.getName() + "' with " + targets.length + " morph targets but its track has "
                            + m.getNbMorphTargets()
                            + " (a detached clip: retarget it to the head's model with FaceClips.retarget)");
                }
                float[] w = m.getWeights();
                for (int i = 0; i < targets.length; i++) {
                    int c = expressions.indexOf(targets[i].getName());
                    for (int k = 0; c >= 0 && k < frames; k++) {
                        motion[k * dim + c] = w[k * targets.length + i];
                    }
                }
            } else if (track instanceof TransformTrack t && t.getTarget() instanceof Joint j) {
                int offset = j.getName().equals(names.joint(FaceJoint.JAW)) ? layout.slice("jaw").offset()
                        : j.getName().equals(names.joint(FaceJoint.HEAD)) ? layout.slice("head").offset() : -1;
                if (offset < 0) {
                    continue; // a joint Parley does not drive
                }
                inverseBind.set(j.getInitialTransform().getRotation()).inverseLocal();
                Quaternion[] rotations = t.getRotations();
                for (int k = 0; k < frames; k++) {
                    inverseBind.mult(rotations[k], delta);
                    if (delta.getW() < 0f) {
                        delta.negateLocal(); // the shorter way round
                    }
                    float angle = delta.toAngleAxis(axis);
                    motion[k * dim + offset] = axis.x * angle;
                    motion[k * dim + offset + 1] = axis.y * angle;
                    motion[k * dim + offset + 2] = axis.z * angle;
                }
            } else {
                throw new IllegalArgumentException("baked clip '" + clip.getName()
                        + "' has a track Parley did not make: " + track);
            }
        }
        return new BakedMotion(layout, motion, frames);
    }

    private static float[] times(AnimTrack<?> track) {
        if (track instanceof MorphTrack m) {
            return m.getTimes();
        }
        if (track instanceof TransformTrack t) {
            return t.getTimes();
        }
        throw new IllegalArgumentException("a baked clip's track must be a MorphTrack or TransformTrack, not " + track);
    }

    @Override
    public MotionLayout layout() {
        return layout;
    }

    @Override
    public boolean drainInto(MotionTrack track) {
        if (!handed) {
            handed = true;
            track.append(motion, 0, frames);
        }
        return true;
    }

    @Override
    public void cancel() {
        handed = true;
    }
}
