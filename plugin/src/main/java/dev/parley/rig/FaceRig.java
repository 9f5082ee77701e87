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
import dev.parley.head.MotionLayout;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.retarget.RetargetSet;
import dev.parley.retarget.Retargeter;
import dev.parley.util.Validate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.IntStream;

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
    /** Retargeted rigs only: the solver, the layout it reads, the targets a jaw joint replaces. */
    private Retargeter retargeter;
    private MotionLayout layout;
    private int[] jointCarried = new int[0];
    /** Retargeted rigs only: the set's weights, and per set target the morph components and weights it binds. */
    private float[] setWeights;
    private int[][] bindMorph;
    private float[][] bindWeight;
    /** Per face joint, its bind rotation in model space when its delta is in model axes (else null). */
    private final Quaternion[] modelBind = new Quaternion[FaceJoint.values().length];

    private FaceRig(Spatial model, int expressionCount, int weightCount, List<MorphDeformer> deformers,
            Spatial skinnedSpatial) {
        this.model = model;
        this.expressionCount = expressionCount;
        this.deformers = deformers;
        this.skinnedSpatial = skinnedSpatial;
        this.weights = new float[weightCount];
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
        Set<String> found = morphTargetNames(geometries);
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
                boolean gpu = path == MorphPath.GPU || (path == MorphPath.AUTO && GpuMorphDeformer.supportsOrWarn(g));
                deformers.add(gpu ? new GpuMorphDeformer(g, targetOfComponent)
                        : new CpuMorphDeformer(g, targetOfComponent));
            }
        }
        FaceRig rig = new FaceRig(model, wanted.size(), wanted.size(), deformers,
                skinning == null ? null : skinning.getSpatial());
        rig.bindJoints(skinning, joints);
        return rig;
    }

    /**
     * Binds a character that is not FLAME-structured: each frame is solved into the profile's target set
     * ({@link Retargeter}) and the weights drive the morph targets the profile finds. When the rig has a jaw
     * joint and the set has jaw targets ({@code jaw...}), the joint carries the jaw and those targets rest;
     * else the shapes carry it. Jaw and head joints turn about the model's axes, the eyes as on a FLAME rig.
     * Set targets the model lacks are logged once, in one warning naming them and the model's unbound
     * morph targets; the rest animate.
     *
     * @param model the loaded model (not null; its meshes and joints are driven from now on)
     * @param profile the target set and names (not null)
     * @param layout the layout of the motion frames it will be given (not null, the set's)
     * @return a new rig (not null)
     * @throws RigBindingException if a joint named in code is missing, or nothing at all binds
     * @throws dev.parley.util.AssetFormatException if the set was made for another motion layout
     */
    public static FaceRig bind(Spatial model, RigProfile profile, MotionLayout layout) {
        Validate.nonNull(model, "model");
        Validate.nonNull(profile, "profile");
        Validate.nonNull(layout, "layout");
        RetargetSet set = profile.set();
        Retargeter retargeter = new Retargeter(set, layout);
        List<Geometry> geometries = new ArrayList<>();
        collectMorphGeometries(model, geometries);
        Set<String> found = morphTargetNames(geometries);
        // The model's morph targets the set drives (a deformer component each), and per set target its binds.
        List<String> bound = new ArrayList<>();
        int[][] bindMorph = new int[set.targetCount()][];
        float[][] bindWeight = new float[set.targetCount()][];
        List<String> missing = new ArrayList<>();
        for (int t = 0; t < set.targetCount(); t++) {
            List<VrmExpressions.Bind> binds = profile.resolve(set.targetNames().get(t), found);
            bindMorph[t] = new int[binds.size()];
            bindWeight[t] = new float[binds.size()];
            for (int b = 0; b < binds.size(); b++) {
                String name = binds.get(b).morphTarget();
                if (!bound.contains(name)) {
                    bound.add(name);
                }
                bindMorph[t][b] = bound.indexOf(name);
                bindWeight[t][b] = binds.get(b).weight();
            }
            if (binds.isEmpty() && t != set.restIndex()) {
                missing.add(set.targetNames().get(t));
            }
        }
        SkinningControl skinning = findSkinning(model);
        List<String> jointNames = skinning == null ? List.of() : jointNames(skinning.getArmature());
        Joint[] joints = new Joint[FaceJoint.values().length];
        List<String> jointErrors = new ArrayList<>();
        for (FaceJoint fj : FaceJoint.values()) {
            String name = profile.findJoint(fj, jointNames);
            joints[fj.ordinal()] = name == null || skinning == null ? null : skinning.getArmature().getJoint(name);
            if (profile.givenJoint(fj) != null && joints[fj.ordinal()] == null) {
                jointErrors.add(fj + " joint '" + name + "'");
            }
        }
        int[] jawTargets = jawTargets(set);
        if (jawTargets.length == 0) {
            joints[FaceJoint.JAW.ordinal()] = null; // the set's shapes carry the jaw: a joint would double it
        }
        if (!jointErrors.isEmpty()) {
            throw new RigBindingException("Model '" + model.getName() + "' is missing " + String.join(", ", jointErrors)
                    + "; joints found: " + (jointNames.isEmpty() ? "none" : jointNames));
        }
        if (missing.size() == set.targetCount() - (set.restIndex() >= 0 ? 1 : 0)
                && joints[FaceJoint.JAW.ordinal()] == null) {
            throw new RigBindingException("Model '" + model.getName() + "' has none of the morph targets of retarget"
                    + " set " + set.id() + " " + set.targetNames() + "; morph targets found: "
                    + (found.isEmpty() ? "none" : found) + ". Name them in code with RigProfile.withMorphTarget");
        }
        if (!missing.isEmpty()) {
            List<String> unbound = new ArrayList<>(found);
            unbound.removeAll(bound);
            LOG.warning("Model '" + model.getName() + "' has no morph target for " + missing.size() + " of the "
                    + set.targetCount() + " targets of retarget set " + set.id() + ", which stay still: " + missing
                    + "; its unbound morph targets: " + (unbound.isEmpty() ? "none" : unbound)
                    + ". Name them in code with RigProfile.withMorphTarget");
        }
        removeMorphControls(model);
        List<MorphDeformer> deformers = new ArrayList<>();
        for (Geometry g : geometries) {
            int[] targetOfComponent = targetIndices(g.getMesh(), bound);
            if (anyBound(targetOfComponent)) {
                deformers.add(GpuMorphDeformer.supportsOrWarn(g) ? new GpuMorphDeformer(g, targetOfComponent)
                        : new CpuMorphDeformer(g, targetOfComponent));
            }
        }
        FaceRig rig = new FaceRig(model, set.expressionNames().size(), bound.size(), deformers,
                skinning == null ? null : skinning.getSpatial());
        rig.retargeter = retargeter;
        rig.setWeights = new float[set.targetCount()];
        rig.bindMorph = bindMorph;
        rig.bindWeight = bindWeight;
        rig.layout = layout;
        rig.bindJoints(skinning, joints);
        if (rig.joints[FaceJoint.JAW.ordinal()] != null) {
            rig.jointCarried = jawTargets;
        }
        for (FaceJoint fj : List.of(FaceJoint.JAW, FaceJoint.HEAD)) {
            Joint j = rig.joints[fj.ordinal()];
            if (j != null) {
                rig.modelBind[fj.ordinal()] = modelBindRotation(j);
            }
        }
        return rig;
    }

    private void bindJoints(SkinningControl skinning, Joint[] bound) {
        armature = skinning == null ? null : skinning.getArmature();
        for (FaceJoint fj : FaceJoint.values()) {
            Joint j = bound[fj.ordinal()];
            if (j != null) {
                joints[fj.ordinal()] = j;
                bindRotations[fj.ordinal()] = j.getInitialTransform().getRotation().clone();
            }
        }
    }

    /** The set targets a jaw joint replaces: those named {@code jaw...} (ARKit's jawOpen, jawLeft, ...). */
    private static int[] jawTargets(RetargetSet set) {
        List<String> names = set.targetNames();
        return IntStream.range(0, names.size())
                .filter(i -> names.get(i).toLowerCase(Locale.ROOT).startsWith("jaw")).toArray();
    }

    /** @return the joint's bind rotation in model space: its ancestors' initial rotations times its own */
    private static Quaternion modelBindRotation(Joint joint) {
        Quaternion q = joint.getInitialTransform().getRotation().clone();
        for (Joint p = joint.getParent(); p != null; p = p.getParent()) {
            q = p.getInitialTransform().getRotation().mult(q);
        }
        return q;
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
        if (retargeter == null) {
            frame.getExpression(weights);
        } else {
            System.arraycopy(retargeter.solve(frame), 0, setWeights, 0, setWeights.length);
            for (int t : jointCarried) {
                setWeights[t] = 0f;
            }
            Arrays.fill(weights, 0f);
            for (int t = 0; t < setWeights.length; t++) {
                for (int b = 0; b < bindMorph[t].length; b++) {
                    weights[bindMorph[t][b]] += bindWeight[t][b] * setWeights[t];
                }
            }
        }
        for (MorphDeformer d : deformers) {
            d.apply(weights);
        }
        for (FaceJoint fj : FaceJoint.values()) {
            Joint j = joints[fj.ordinal()];
            if (j != null) {
                frame.getQuaternion(fj, delta);
                Quaternion w = modelBind[fj.ordinal()];
                if (w != null) {
                    // A delta about model axes: local = bind * W^-1 * delta * W, so the joint's model rotation
                    // becomes delta * W whatever its own axes are.
                    posed.set(w).inverseLocal();
                    bindRotations[fj.ordinal()].mult(posed, posed).multLocal(delta).multLocal(w);
                    j.setLocalRotation(posed);
                } else {
                    j.setLocalRotation(bindRotations[fj.ordinal()].mult(delta, posed));
                }
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
        FaceRig clone = new FaceRig(modelClone, expressionCount, weights.length, clonedDeformers,
                cloner.clone(skinnedSpatial));
        clone.armature = cloner.clone(armature);
        for (int i = 0; i < joints.length; i++) {
            clone.joints[i] = cloner.clone(joints[i]);
            clone.bindRotations[i] = bindRotations[i] == null ? null : bindRotations[i].clone();
            clone.modelBind[i] = modelBind[i] == null ? null : modelBind[i].clone();
        }
        if (retargeter != null) {
            clone.retargeter = new Retargeter(retargeter.set(), layout);
            clone.layout = layout;
            clone.jointCarried = jointCarried;
            clone.setWeights = new float[setWeights.length];
            clone.bindMorph = bindMorph;
            clone.bindWeight = bindWeight;
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

    /** @return the retargeter solving this rig's frames, or null for a FLAME-structured rig */
    public Retargeter getRetargeter() {
        return retargeter;
    }

    /**
     * @return the weights last applied: per expression component, or per target of the profile's set when
     *     retargeted (owned by this rig, overwritten by the next {@link #apply}; do not modify)
     */
    public float[] getAppliedWeights() {
        return retargeter == null ? weights : setWeights;
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

    private static Set<String> morphTargetNames(List<Geometry> geometries) {
        Set<String> found = new LinkedHashSet<>();
        for (Geometry g : geometries) {
            for (MorphTarget t : g.getMesh().getMorphTargets()) {
                found.add(t.getName());
            }
        }
        return found;
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
            for (int t = 0; t < targets.length && wanted.get(c) != null; t++) {
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
