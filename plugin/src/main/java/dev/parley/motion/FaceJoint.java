package dev.parley.motion;

/** The joints a motion frame rotates, each with an axis-angle rotation relative to its bind pose. */
public enum FaceJoint {
    /** The jaw: +x opens the mouth. */
    JAW,
    /** The head, applied at the neck joint: +x nods down, +y turns to the character's left. */
    HEAD,
    /** The left eyeball (the character's left, +X). */
    EYE_L,
    /** The right eyeball. */
    EYE_R
}
