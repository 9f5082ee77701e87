package dev.parley.rig;

import com.jme3.anim.Armature;
import com.jme3.anim.Joint;
import com.jme3.anim.MorphControl;
import com.jme3.anim.SkinningControl;
import com.jme3.math.Quaternion;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import com.jme3.scene.mesh.MorphTarget;
import com.jme3.util.clone.Cloner;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.util.Validate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A model's FLAME-structured controls, bound by name: the expression morph targets of every geometry
 * under the model and the face joints of its armature. {@link #apply(MotionFrame)} poses the face;
 * call it on the render thread (usually through {@link FaceRigControl}).
 *
 * <pre>{@code
 * HeadSpec spec = HeadSpec.load(assetManager, "Models/ParleyHead/ParleyHead.spec.json");
 * Spatial head = assetManager.loadModel("Models/ParleyHead/ParleyHead.glb");
 * FaceRigControl face = FaceRigControl.attach(head, RigNames.fromSpec(spec));
 * face.getFrame().setExpression(0, 1f);              // lips closed
 * }</pre>
 */
public final class FaceRig {

    private static final Logger LOG = Logger.getLogger(FaceRig.class.getName());

    private final Spatial model;
    private final int expressionCount;
    private final List<MorphDeformer> deformers;
    private final Joint[] joints = new Joint[FaceJoint.values().length];
    private final Quaternion[] bindRotations = new Quaternion[FaceJoint.values().length];
    private final Spatial skinnedSpatial;
    private Armature armature;
    private final float[] weights;
    private final Quaternion delta = new Quaternion();
    private final Quaternion posed = new Quaternion();

    private FaceRig(Spatial model, int expressionCount, List<MorphDeformer> deformers, Spatial skinnedSpatial) {
        this.model = model;
        this.expressionCount = expressionCount;
        this.deformers = deformers;
        this.skinnedSpatial = skinnedSpatial;
        this.weights = new float[expressionCount];
    }

    /**
     * Binds a model's controls. Removes any jME {@link MorphControl} under the model, because Parley
     * applies morph weights itself and the two would fight.
     *
     * @param model the loaded model (not null; its meshes and joints are driven from now on)
     * @param names the control names to look for (not null, unaffected)
     * @return a new rig (not null)
     * @throws RigBindingException naming each missing morph target or joint and what the model has instead
     */
    public static FaceRig bind(Spatial model, RigNames names) {
        return bind(model, names, MorphPath.AUTO);
    }

    /**
     * Binds a model's controls with a chosen morph path.
     *
     * @param model the loaded model (not null; its meshes and joints are driven from now on)
     * @param names the control names to look for (not null, unaffected)
     * @param path where morphing runs (not null)
     * @return a new rig (not null)
     * @throws RigBindingException naming each missing control, or a material that cannot morph on the GPU
     */
    public static FaceRig bind(Spatial model, RigNames names, MorphPath path) {
        Validate.nonNull(model, "model");
        Validate.nonNull(path, "path");
        Validate.nonNull(names, "names");
        List<String> wanted = names.morphTargets();
        List<Geometry> geometries = new ArrayList<>();
        collectMorphGeometries(model, geometries);
        Set<String> found = new LinkedHashSet<>();
        for (Geometry g : geometries) {
            for (MorphTarget t : g.getMesh().getMorphTargets()) {
                found.add(t.getName());
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : wanted) {
            if (!found.contains(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new RigBindingException("Model '" + model.getName() + "' is missing morph target(s) " + missing
                    + "; morph targets found: " + (found.isEmpty() ? "none" : found));
        }

        SkinningControl skinning = findSkinning(model);
        List<String> jointErrors = new ArrayList<>();
        Joint[] joints = new Joint[FaceJoint.values().length];
        for (FaceJoint fj : FaceJoint.values()) {
            String jointName = names.joint(fj);
            if (jointName == null) {
                continue;
            }
            Joint j = skinning == null ? null : skinning.getArmature().getJoint(jointName);
            if (j == null) {
                jointErrors.add(fj + " joint '" + jointName + "'");
            }
            joints[fj.ordinal()] = j;
        }
        if (!jointErrors.isEmpty()) {
            String available = skinning == null ? "no armature (no SkinningControl under the model)"
                    : "joints found: " + jointNames(skinning.getArmature());
            throw new RigBindingException("Model '" + model.getName() + "' is missing " + String.join(", ", jointErrors)
                    + "; " + available);
        }

        removeMorphControls(model);
        List<MorphDeformer> deformers = new ArrayList<>();
        for (Geometry g : geometries) {
            int[] targetOfComponent = targetIndices(g.getMesh(), wanted);
            if (anyBound(targetOfComponent)) {
                boolean gpu = path == MorphPath.GPU || (path == MorphPath.AUTO && GpuMorphDeformer.supports(g));
                deformers.add(gpu ? new GpuMorphDeformer(g, targetOfComponent)
                        : new CpuMorphDeformer(g, targetOfComponent));
            }
        }
        FaceRig rig = new FaceRig(model, wanted.size(), deformers, skinning == null ? null : skinning.getSpatial());
        rig.armature = skinning == null ? null : skinning.getArmature();
        for (FaceJoint fj : FaceJoint.values()) {
            Joint j = joints[fj.ordinal()];
            if (j != null) {
                rig.joints[fj.ordinal()] = j;
                rig.bindRotations[fj.ordinal()] = j.getInitialTransform().getRotation().clone();
            }
        }
        return rig;
    }

    /**
     * Poses the face: every expression weight exactly, and each driven joint to bind &times; delta.
     *
     * @param frame the face state (not null, same expression count as the rig, unaffected)
     */
    public void apply(MotionFrame frame) {
        Validate.nonNull(frame, "frame");
        if (frame.expressionCount() != expressionCount) {
            throw new IllegalArgumentException("frame has " + frame.expressionCount()
                    + " expression weights but the rig binds " + expressionCount);
        }
        frame.getExpression(weights);
        for (MorphDeformer d : deformers) {
            d.apply(weights);
        }
        for (FaceJoint fj : FaceJoint.values()) {
            Joint j = joints[fj.ordinal()];
            if (j != null) {
                frame.getQuaternion(fj, delta);
                j.setLocalRotation(bindRotations[fj.ordinal()].mult(delta, posed));
            }
        }
        if (armature != null) {
            // The SkinningControl may have updated the armature earlier this frame; refresh model
            // transforms so skinning uses this frame's face pose, not last frame's.
            armature.update();
        }
    }

    /** Restores the undeformed mesh and bind rotations. The rig must not be used afterwards. */
    public void unbind() {
        for (MorphDeformer d : deformers) {
            d.detach();
        }
        for (FaceJoint fj : FaceJoint.values()) {
            Joint j = joints[fj.ordinal()];
            if (j != null) {
                j.setLocalRotation(bindRotations[fj.ordinal()]);
            }
        }
    }

    /**
     * Makes the rig of a clone of this rig's model, while jME clones the model (from a control's
     * {@code cloneFields}): it drives the clone's geometries and joints, with deformers of its own, so
     * the clone's face moves independently of this one.
     *
     * @param cloner the cloner that is cloning the model (not null)
     * @return a new rig bound to the clones (not null)
     * @throws UnsupportedOperationException if the clone does not include the whole model (a part of
     *     the model below its root was cloned)
     */
    public FaceRig cloneFor(Cloner cloner) {
        Validate.nonNull(cloner, "cloner");
        Spatial modelClone = cloner.isCloned(model) ? cloner.clone(model) : null;
        if (modelClone == null) {
            throw new UnsupportedOperationException("Parley's face controls of model '" + model.getName()
                    + "' can be cloned only with the whole model: clone the model's root, not a part of it");
        }
        List<MorphDeformer> clonedDeformers = new ArrayList<>();
        for (MorphDeformer d : deformers) {
            clonedDeformers.add(d.cloneFor(cloner.clone(d.getGeometry())));
        }
        FaceRig clone = new FaceRig(modelClone, expressionCount, clonedDeformers, cloner.clone(skinnedSpatial));
        clone.armature = cloner.clone(armature);
        for (int i = 0; i < joints.length; i++) {
            clone.joints[i] = cloner.clone(joints[i]);
            clone.bindRotations[i] = bindRotations[i] == null ? null : bindRotations[i].clone();
        }
        return clone;
    }

    /** @return the bound model (not null) */
    public Spatial getModel() {
        return model;
    }

    /** @return the spatial holding the armature's SkinningControl, or null if the model has no armature */
    public Spatial getSkinnedSpatial() {
        return skinnedSpatial;
    }

    /** @return the number of expression components the rig drives */
    public int expressionCount() {
        return expressionCount;
    }

    /**
     * @param joint which face joint (not null)
     * @return the bound joint, or null if that face joint is not driven
     */
    public Joint getJoint(FaceJoint joint) {
        return joints[joint.ordinal()];
    }

    /** @return the morph deformers, one per geometry with expression targets (not null, do not modify) */
    public List<MorphDeformer> getDeformers() {
        return deformers;
    }

    private static void collectMorphGeometries(Spatial s, List<Geometry> out) {
        if (s instanceof Geometry g) {
            MorphTarget[] targets = g.getMesh().getMorphTargets();
            if (targets != null && targets.length > 0) {
                out.add(g);
            }
        } else if (s instanceof Node n) {
            for (Spatial child : n.getChildren()) {
                collectMorphGeometries(child, out);
            }
        }
    }

    private static SkinningControl findSkinning(Spatial s) {
        SkinningControl sc = s.getControl(SkinningControl.class);
        if (sc != null) {
            return sc;
        }
        if (s instanceof Node n) {
            for (Spatial child : n.getChildren()) {
                sc = findSkinning(child);
                if (sc != null) {
                    return sc;
                }
            }
        }
        return null;
    }

    private static void removeMorphControls(Spatial s) {
        MorphControl mc;
        while ((mc = s.getControl(MorphControl.class)) != null) {
            s.removeControl(mc);
            LOG.fine(() -> "Removed MorphControl from '" + s.getName() + "': Parley applies morph weights itself");
        }
        if (s instanceof Node n) {
            for (Spatial child : n.getChildren()) {
                removeMorphControls(child);
            }
        }
    }

    private static int[] targetIndices(Mesh mesh, List<String> wanted) {
        MorphTarget[] targets = mesh.getMorphTargets();
        int[] out = new int[wanted.size()];
        for (int c = 0; c < out.length; c++) {
            out[c] = -1;
            for (int t = 0; t < targets.length; t++) {
                if (wanted.get(c).equals(targets[t].getName())) {
                    out[c] = t;
                    break;
                }
            }
        }
        return out;
    }

    private static boolean anyBound(int[] targetOfComponent) {
        for (int t : targetOfComponent) {
            if (t >= 0) {
                return true;
            }
        }
        return false;
    }

    private static List<String> jointNames(Armature armature) {
        List<String> out = new ArrayList<>();
        for (Joint j : armature.getJointList()) {
            out.add(j.getName());
        }
        return out;
    }
}
