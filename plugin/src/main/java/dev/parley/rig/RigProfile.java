package dev.parley.rig;

import dev.parley.motion.FaceJoint;
import dev.parley.retarget.RetargetSet;
import dev.parley.util.Validate;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a character that is not FLAME-structured is driven: a {@link RetargetSet} (ARKit-52, the Oculus
 * visemes, VRM presets) whose solved weights go to the model's morph targets, bound by name, and the joints
 * that carry the jaw and the head when the rig has them. Immutable; the {@code with...} methods return
 * modified copies, so one profile can serve many characters.
 *
 * <p>A set target binds to, in this order: the morph target named for it in code ({@link #of(RetargetSet, Map)},
 * {@link #withMorphTarget}), or the morph targets a VRM 1.0 preset binds ({@link #vrm}); the morph target of
 * exactly its name; the first morph target whose {@linkplain #normalize(String) normalized} name equals the
 * target's. Normalizing folds the vendor variants:
 * case, a namespace ({@code blendShape1.jawOpen}), a Ready Player Me {@code viseme_} prefix, a Character
 * Creator {@code A01_}-style number, {@code _L}/{@code _R} for {@code Left}/{@code Right}, and separators.
 * So {@code Mouth_Smile_L}, {@code mouthSmile_L} and {@code blendShape1.mouthSmileLeft} all bind to ARKit's
 * {@code mouthSmileLeft}, and {@code viseme_PP} to the viseme {@code PP}. Names that differ in more than that
 * are given in code.
 *
 * <p>Joints not named in code are found by normalized name (a {@code mixamorig:}-style namespace and a
 * {@code CC_Base_} prefix dropped): the jaw {@code jaw}, {@code jawroot}, {@code jawbone} or {@code lowerjaw};
 * the head {@code neck}, else {@code head}; the eyes {@code eye_L}/{@code lefteye}/{@code eyeleft} and their
 * right-hand twins.
 */
public final class RigProfile {

    private static final Map<FaceJoint, List<String>> JOINT_NAMES = Map.of(
            FaceJoint.JAW, List.of("jaw", "jawroot", "jawbone", "lowerjaw"),
            FaceJoint.HEAD, List.of("neck", "head"),
            FaceJoint.EYE_L, List.of("eyel", "lefteye", "eyeleft"),
            FaceJoint.EYE_R, List.of("eyer", "righteye", "eyeright"));

    private final RetargetSet set;
    private final Map<String, List<VrmExpressions.Bind>> binds;
    private final Map<FaceJoint, String> joints;
    private final Set<FaceJoint> undriven;

    private RigProfile(RetargetSet set, Map<String, List<VrmExpressions.Bind>> binds, Map<FaceJoint, String> joints,
            Set<FaceJoint> undriven) {
        this.set = set;
        this.binds = Collections.unmodifiableMap(new HashMap<>(binds));
        this.joints = Collections.unmodifiableMap(joints.isEmpty() ? new EnumMap<>(FaceJoint.class)
                : new EnumMap<>(joints));
        this.undriven = Collections.unmodifiableSet(undriven.isEmpty() ? EnumSet.noneOf(FaceJoint.class)
                : EnumSet.copyOf(undriven));
    }

    /**
     * A profile that binds the set's targets by name and finds the joints by name.
     *
     * @param set the target set, e.g. {@code Retargets/arkit52.retarget.json} (not null)
     * @return a new profile (not null)
     */
    public static RigProfile of(RetargetSet set) {
        return of(set, Map.of());
    }

    /**
     * A profile with morph target names given in code; targets not in the map bind by name.
     *
     * @param set the target set (not null)
     * @param morphTargets the model's morph target name per set target name (not null, unaffected)
     * @return a new profile (not null)
     * @throws IllegalArgumentException if a key is not one of the set's targets or a value is empty
     */
    public static RigProfile of(RetargetSet set, Map<String, String> morphTargets) {
        Validate.nonNull(set, "set");
        Validate.nonNull(morphTargets, "morphTargets");
        Map<String, List<VrmExpressions.Bind>> binds = new HashMap<>();
        for (Map.Entry<String, String> e : morphTargets.entrySet()) {
            checkTarget(set, e.getKey());
            binds.put(e.getKey(), List.of(new VrmExpressions.Bind(
                    Validate.nonEmpty(e.getValue(), "morphTargets[" + e.getKey() + "]"), 1f)));
        }
        return new RigProfile(set, binds, Map.of(), Set.of());
    }

    /**
     * A profile for a VRM 1.0 model: each of the set's targets that is a preset expression drives the morph
     * targets the model's {@code VRMC_vrm} binds to it, with their weights; other targets bind by name.
     *
     * @param set the target set, usually {@code Retargets/vrm10.retarget.json} (not null)
     * @param expressions the model's presets ({@link VrmExpressions#read}) (not null)
     * @return a new profile (not null)
     */
    public static RigProfile vrm(RetargetSet set, VrmExpressions expressions) {
        Validate.nonNull(set, "set");
        Validate.nonNull(expressions, "expressions");
        Map<String, List<VrmExpressions.Bind>> binds = new HashMap<>();
        for (Map.Entry<String, List<VrmExpressions.Bind>> e : expressions.presets().entrySet()) {
            if (set.targetNames().contains(e.getKey())) {
                binds.put(e.getKey(), e.getValue());
            }
        }
        return new RigProfile(set, binds, Map.of(), Set.of());
    }

    /**
     * @param target one of the set's target names (not null)
     * @param morphTarget the model's morph target to drive with it (not null, not empty)
     * @return a modified copy (not null)
     * @throws IllegalArgumentException if {@code target} is not one of the set's targets
     */
    public RigProfile withMorphTarget(String target, String morphTarget) {
        checkTarget(set, target);
        Map<String, List<VrmExpressions.Bind>> copy = new HashMap<>(binds);
        copy.put(target, List.of(new VrmExpressions.Bind(Validate.nonEmpty(morphTarget, "morphTarget"), 1f)));
        return new RigProfile(set, copy, joints, undriven);
    }

    /**
     * @param joint which face joint (not null)
     * @param jointName the joint to drive, or null to drive none (not found by name either)
     * @return a modified copy (not null)
     */
    public RigProfile withJoint(FaceJoint joint, String jointName) {
        Validate.nonNull(joint, "joint");
        Map<FaceJoint, String> copy = new EnumMap<>(FaceJoint.class);
        copy.putAll(joints);
        Set<FaceJoint> off = EnumSet.noneOf(FaceJoint.class);
        off.addAll(undriven);
        copy.remove(joint);
        off.remove(joint);
        if (jointName == null) {
            off.add(joint);
        } else {
            copy.put(joint, Validate.nonEmpty(jointName, "jointName"));
        }
        return new RigProfile(set, binds, copy, off);
    }

    /** @return the target set whose weights drive the model (not null) */
    public RetargetSet set() {
        return set;
    }

    /**
     * The name a morph target or set target is compared under: lower case, without a namespace (up to the
     * last {@code .} or {@code :}), a {@code viseme_} prefix or an {@code A01_}-style number, with a final
     * {@code _L}/{@code _R} read as {@code left}/{@code right}, letters and digits only.
     *
     * @param name a name (not null)
     * @return the normalized name (not null)
     */
    public static String normalize(String name) {
        Validate.nonNull(name, "name");
        String n = name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf(':')) + 1)
                .toLowerCase(Locale.ROOT);
        n = n.replaceFirst("^viseme_", "").replaceFirst("^[a-z][0-9]{2}_", "");
        n = n.replaceFirst("[_ ]l$", "left").replaceFirst("[_ ]r$", "right");
        return n.replaceAll("[^a-z0-9]", "");
    }

    /**
     * @param target one of the set's target names (not null)
     * @param modelTargets the model's morph target names (not null, unaffected)
     * @return the morph targets that carry {@code target} and their weights; empty if the model has none
     */
    List<VrmExpressions.Bind> resolve(String target, Collection<String> modelTargets) {
        List<VrmExpressions.Bind> given = binds.get(target);
        if (given != null) {
            return given.stream().filter(b -> modelTargets.contains(b.morphTarget())).toList();
        }
        if (modelTargets.contains(target)) {
            return List.of(new VrmExpressions.Bind(target, 1f));
        }
        String key = normalize(target);
        for (String m : modelTargets) {
            if (m != null && normalize(m).equals(key)) {
                return List.of(new VrmExpressions.Bind(m, 1f));
            }
        }
        return List.of();
    }

    /**
     * @param joint which face joint (not null)
     * @return the joint name given in code, or null if it is found by name or not driven
     */
    String givenJoint(FaceJoint joint) {
        return joints.get(joint);
    }

    /**
     * @param joint which face joint (not null)
     * @param modelJoints the armature's joint names (not null, unaffected)
     * @return the joint name to drive, or null for none
     */
    String findJoint(FaceJoint joint, Collection<String> modelJoints) {
        if (undriven.contains(joint)) {
            return null;
        }
        String given = joints.get(joint);
        if (given != null) {
            return given;
        }
        for (String wanted : JOINT_NAMES.get(joint)) {
            for (String m : modelJoints) {
                String n = m.substring(m.lastIndexOf(':') + 1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
                if (n.replaceFirst("^ccbase", "").equals(wanted)) {
                    return m;
                }
            }
        }
        return null;
    }

    private static void checkTarget(RetargetSet set, String target) {
        Validate.nonNull(target, "target");
        if (!set.targetNames().contains(target)) {
            throw new IllegalArgumentException("'" + target + "' is not a target of retarget set " + set.id()
                    + "; its targets: " + set.targetNames());
        }
    }
}
