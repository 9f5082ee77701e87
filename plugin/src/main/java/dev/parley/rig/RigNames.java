package dev.parley.rig;

import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.util.Validate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The names under which a model exposes its FLAME-structured controls: one morph target per
 * expression component (in component order) and one joint per {@link FaceJoint}. Immutable; the
 * {@code with...} methods return modified copies, so one instance can serve many characters.
 */
public final class RigNames {

    private final List<String> morphTargets;
    private final Map<FaceJoint, String> joints;

    private RigNames(List<String> morphTargets, Map<FaceJoint, String> joints) {
        this.morphTargets = Collections.unmodifiableList(new ArrayList<>(morphTargets));
        this.joints = Collections.unmodifiableMap(new EnumMap<>(joints));
    }

    /**
     * The names a head spec declares: its expression targets, the jaw and head joints of its motion
     * layout, and joints 3 and 4 (FLAME order) for the eyes.
     *
     * @param spec the head spec (not null, unaffected)
     * @return new names (not null)
     */
    public static RigNames fromSpec(HeadSpec spec) {
        Validate.nonNull(spec, "spec");
        Map<FaceJoint, String> joints = new EnumMap<>(FaceJoint.class);
        joints.put(FaceJoint.JAW, spec.motionLayout().slice("jaw").joint());
        joints.put(FaceJoint.HEAD, spec.motionLayout().slice("head").joint());
        List<HeadSpec.Joint> specJoints = spec.joints();
        if (specJoints.size() >= 5) {
            joints.put(FaceJoint.EYE_L, specJoints.get(3).name());
            joints.put(FaceJoint.EYE_R, specJoints.get(4).name());
        }
        return new RigNames(spec.expressionTargets(), joints);
    }

    /**
     * Explicit names for a model authored elsewhere.
     *
     * @param morphTargets the morph target name of each expression component, in order (not null, unaffected)
     * @param joints the joint name per face joint; absent keys are not driven (not null, unaffected)
     * @return new names (not null)
     */
    public static RigNames of(List<String> morphTargets, Map<FaceJoint, String> joints) {
        Validate.nonNull(morphTargets, "morphTargets");
        Validate.nonNull(joints, "joints");
        for (int i = 0; i < morphTargets.size(); i++) {
            Validate.nonEmpty(morphTargets.get(i), "morphTargets[" + i + "]");
        }
        return new RigNames(morphTargets, joints.isEmpty() ? new EnumMap<>(FaceJoint.class) : joints);
    }

    /**
     * @param component the expression component index
     * @param targetName the morph target name to use instead (not null, not empty)
     * @return a modified copy (not null)
     */
    public RigNames withMorphTarget(int component, String targetName) {
        Validate.inRange(component, 0, morphTargets.size() - 1, "component");
        Validate.nonEmpty(targetName, "targetName");
        List<String> copy = new ArrayList<>(morphTargets);
        copy.set(component, targetName);
        return new RigNames(copy, joints);
    }

    /**
     * @param joint which face joint (not null)
     * @param jointName the joint name to drive, or null to leave this face joint undriven
     * @return a modified copy (not null)
     */
    public RigNames withJoint(FaceJoint joint, String jointName) {
        Validate.nonNull(joint, "joint");
        Map<FaceJoint, String> copy = new EnumMap<>(FaceJoint.class);
        copy.putAll(joints);
        if (jointName == null) {
            copy.remove(joint);
        } else {
            copy.put(joint, Validate.nonEmpty(jointName, "jointName"));
        }
        return new RigNames(morphTargets, copy);
    }

    /** @return the morph target names in component order (not null, unmodifiable) */
    public List<String> morphTargets() {
        return morphTargets;
    }

    /**
     * @param joint which face joint (not null)
     * @return the joint name, or null if this face joint is not driven
     */
    public String joint(FaceJoint joint) {
        return joints.get(joint);
    }
}
