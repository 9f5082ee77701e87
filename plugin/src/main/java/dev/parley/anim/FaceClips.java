package dev.parley.anim;

import com.jme3.anim.AnimClip;
import com.jme3.anim.AnimComposer;
import com.jme3.anim.AnimTrack;
import com.jme3.anim.Armature;
import com.jme3.anim.Joint;
import com.jme3.anim.MorphTrack;
import com.jme3.anim.SkinningControl;
import com.jme3.anim.TransformTrack;
import com.jme3.anim.tween.action.ClipAction;
import com.jme3.math.Quaternion;
import com.jme3.math.Transform;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.head.MotionLayout;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.rig.RigBindingException;
import dev.parley.rig.RigNames;
import dev.parley.util.Validate;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns motion frames (what Parley's runtime generates for a line) into a jME {@link AnimClip}: a
 * {@link MorphTrack} per geometry with expression targets (weights in the mesh's own target order,
 * signed, exactly the frames' values) and a {@link TransformTrack} for the jaw and the neck joint
 * (bind rotation &times; the frame's axis-angle delta, as {@link dev.parley.rig.FaceRig} poses them),
 * one keyframe per motion frame.
 *
 * <p>Clips are saved {@link #detached} (tracks point at lightweight stand-ins named like the model's
 * geometries and joints, so a {@code .j3o} holds no mesh) and {@link #retarget retargeted} to a loaded
 * model by name before an {@link com.jme3.anim.AnimComposer} plays them:
 * <pre>
 * AnimClip clip = FaceClips.retarget((AnimClip) assetManager.loadAsset("Animations/guard_01.j3o"), head);
 * AnimComposer composer = ...; // on the spatial with the head's SkinningControl, before it
 * FaceClips.addTo(composer, clip);                         // no blend-in: frame 0 is frame 0
 * BakedFaceControl.attach(head, RigNames.fromSpec(spec)); // exact signed morph weights
 * composer.setCurrentAction(clip.getName());
 * </pre>
 */
public final class FaceClips {

    private FaceClips() {
    }

    /**
     * Builds a clip for a loaded model.
     *
     * @param name the clip's name (not null)
     * @param motion de-normalised motion frames, frame-major [frames * layout.dim] (not null, unaffected)
     * @param frames how many frames (&gt;0)
     * @param layout where expression, jaw and head sit in a frame (not null)
     * @param model the model whose geometries and joints the tracks drive (not null)
     * @param names the model's control names (not null)
     * @return a new clip targeting the model (not null)
     * @throws RigBindingException if the model lacks the named morph targets or joints
     */
    public static AnimClip build(String name, float[] motion, int frames, MotionLayout layout, Spatial model,
            RigNames names) {
        Validate.nonNull(name, "name");
        Validate.nonNull(layout, "layout");
        Validate.nonNull(model, "model");
        Validate.nonNull(names, "names");
        Validate.inRange(frames, 1, Integer.MAX_VALUE / Math.max(1, layout.dim()), "frames");
        int dim = layout.dim();
        Validate.length(motion, frames * dim, "motion");
        int exprOffset = layout.slice("expression").offset();
        int exprCount = layout.slice("expression").size();
        float[] times = new float[frames];
        for (int k = 0; k < frames; k++) {
            times[k] = k / (float) layout.fps();
        }
        List<AnimTrack<?>> tracks = new ArrayList<>();
        List<Geometry> geometries = new ArrayList<>();
        model.depthFirstTraversal(s -> {
            if (s instanceof Geometry g && g.getMesh().getMorphTargets().length > 0) {
                geometries.add(g);
            }
        });
        List<String> components = names.morphTargets();
        boolean anyMorph = false;
        for (Geometry g : geometries) {
            MorphTarget[] targets = g.getMesh().getMorphTargets();
            int[] component = new int[targets.length];
            boolean bound = false;
            for (int i = 0; i < targets.length; i++) {
                component[i] = components.indexOf(targets[i].getName());
                bound |= component[i] >= 0 && component[i] < exprCount;
            }
            if (!bound) {
                continue;
            }
            anyMorph = true;
            float[] weights = new float[frames * targets.length];
            for (int k = 0; k < frames; k++) {
                for (int i = 0; i < targets.length; i++) {
                    int c = component[i];
                    weights[k * targets.length + i] = c >= 0 && c < exprCount ? motion[k * dim + exprOffset + c] : 0f;
                }
            }
            tracks.add(new MorphTrack(g, times, weights, targets.length));
        }
        if (!anyMorph) {
            throw new RigBindingException("Model '" + model.getName()
                    + "' has no geometry with Parley's expression morph targets");
        }
        Armature armature = armature(model);
        addJointTrack(tracks, armature, names, FaceJoint.JAW, layout.slice("jaw").offset(), motion, frames, dim, times,
                model);
        addJointTrack(tracks, armature, names, FaceJoint.HEAD, layout.slice("head").offset(), motion, frames, dim,
                times, model);
        AnimClip clip = new AnimClip(name);
        clip.setTracks(tracks.toArray(new AnimTrack<?>[0]));
        return clip;
    }

    private static void addJointTrack(List<AnimTrack<?>> tracks, Armature armature, RigNames names, FaceJoint which,
            int offset,
            float[] motion, int frames, int dim, float[] times, Spatial model) {
        String jointName = names.joint(which);
        if (jointName == null) {
            return;
        }
        Joint joint = armature == null ? null : armature.getJoint(jointName);
        if (joint == null) {
            throw new RigBindingException("Model '" + model.getName() + "' has no " + which + " joint '" + jointName
                    + "'");
        }
        Transform bind = joint.getInitialTransform();
        Vector3f[] translations = new Vector3f[frames];
        Quaternion[] rotations = new Quaternion[frames];
        Vector3f[] scales = new Vector3f[frames];
        Quaternion delta = new Quaternion();
        for (int k = 0; k < frames; k++) {
            int at = k * dim + offset;
            MotionFrame.axisAngleToQuaternion(motion[at], motion[at + 1], motion[at + 2], delta);
            rotations[k] = bind.getRotation().mult(delta, null);
            translations[k] = bind.getTranslation().clone();
            scales[k] = bind.getScale().clone();
        }
        tracks.add(new TransformTrack(joint, times, translations, rotations, scales));
    }

    /**
     * Adds a face clip to a composer as an action without jME's default blend-in, so that the first
     * frames are the baked ones (a {@code ClipAction} otherwise eases joints in over 0.4 s).
     *
     * @param composer the composer (not null)
     * @param clip the clip, targeting the composer's model (not null)
     * @return the clip's action (not null)
     */
    public static ClipAction addTo(AnimComposer composer, AnimClip clip) {
        Validate.nonNull(composer, "composer");
        Validate.nonNull(clip, "clip");
        composer.addAnimClip(clip);
        ClipAction action = (ClipAction) composer.action(clip.getName());
        action.setTransitionLength(0);
        return action;
    }

    /**
     * A copy of a clip whose tracks point at stand-ins (a geometry with a one-vertex mesh, a joint) with
     * the same names, for saving without the model's meshes.
     *
     * @param clip a clip from {@link #build} (not null, unaffected)
     * @return a new clip (not null; retarget it before playing)
     */
    public static AnimClip detached(AnimClip clip) {
        Validate.nonNull(clip, "clip");
        List<AnimTrack<?>> out = new ArrayList<>();
        for (AnimTrack<?> t : clip.getTracks()) {
            if (t instanceof MorphTrack m) {
                Geometry standIn = new Geometry(m.getTarget().getName(), standInMesh());
                out.add(new MorphTrack(standIn, m.getTimes(), m.getWeights(), m.getNbMorphTargets()));
            } else if (t instanceof TransformTrack tt && tt.getTarget() instanceof Joint j) {
                out.add(new TransformTrack(new Joint(j.getName()), tt.getTimes(), tt.getTranslations(),
                        tt.getRotations(), tt.getScales()));
            } else {
                throw new IllegalArgumentException("clip '" + clip.getName() + "' has a track Parley did not make: "
                        + t);
            }
        }
        AnimClip copy = new AnimClip(clip.getName());
        copy.setTracks(out.toArray(new AnimTrack<?>[0]));
        return copy;
    }

    /**
     * jME's importer cannot read back a mesh without buffers (it logs SEVERE "initialCapacity must be
     * greater than zero" for the empty buffer map), so a stand-in carries one vertex.
     */
    private static Mesh standInMesh() {
        Mesh mesh = new Mesh();
        mesh.setBuffer(VertexBuffer.Type.Position, 3, new float[3]);
        mesh.updateBound();
        return mesh;
    }

    /**
     * A copy of a clip bound to a loaded model's geometries and joints, found by name.
     *
     * @param clip a clip (not null, unaffected), e.g. loaded from a baked {@code .j3o}
     * @param model the model to drive (not null)
     * @return a new clip targeting the model (not null)
     * @throws RigBindingException naming a geometry or joint the model lacks, or a geometry whose
     *     morph target count differs from the track's
     */
    public static AnimClip retarget(AnimClip clip, Spatial model) {
        Validate.nonNull(clip, "clip");
        Validate.nonNull(model, "model");
        Armature armature = armature(model);
        List<AnimTrack<?>> out = new ArrayList<>();
        for (AnimTrack<?> t : clip.getTracks()) {
            if (t instanceof MorphTrack m) {
                String name = m.getTarget().getName();
                Geometry[] found = new Geometry[1];
                model.depthFirstTraversal(s -> {
                    if (found[0] == null && s instanceof Geometry g && name.equals(g.getName())) {
                        found[0] = g;
                    }
                });
                if (found[0] == null) {
                    throw new RigBindingException("clip '" + clip.getName() + "' animates geometry '" + name
                            + "' but model '"
                            + model.getName() + "' has none of that name");
                }
                int targets = found[0].getMesh().getMorphTargets().length;
                if (targets != m.getNbMorphTargets()) {
                    throw new RigBindingException("clip '" + clip.getName() + "' has " + m.getNbMorphTargets()
                            + " morph weights for '"
                            + name + "' but the model's mesh has " + targets + " morph targets");
                }
                out.add(new MorphTrack(found[0], m.getTimes(), m.getWeights(), targets));
            } else if (t instanceof TransformTrack tt && tt.getTarget() instanceof Joint j) {
                Joint target = armature == null ? null : armature.getJoint(j.getName());
                if (target == null) {
                    throw new RigBindingException("clip '" + clip.getName() + "' animates joint '" + j.getName()
                            + "' but model '"
                            + model.getName() + "' has no such joint");
                }
                out.add(new TransformTrack(target, tt.getTimes(), tt.getTranslations(), tt.getRotations(),
                        tt.getScales()));
            } else {
                throw new IllegalArgumentException("clip '" + clip.getName() + "' has a track Parley did not make: "
                        + t);
            }
        }
        AnimClip copy = new AnimClip(clip.getName());
        copy.setTracks(out.toArray(new AnimTrack<?>[0]));
        return copy;
    }

    /**
     * @param model a model (not null)
     * @return the armature of the first SkinningControl under it, or null
     */
    static Armature armature(Spatial model) {
        SkinningControl[] found = new SkinningControl[1];
        model.depthFirstTraversal(s -> {
            if (found[0] == null && s.getControl(SkinningControl.class) != null) {
                found[0] = s.getControl(SkinningControl.class);
            }
        });
        return found[0] == null ? null : found[0].getArmature();
    }
}
