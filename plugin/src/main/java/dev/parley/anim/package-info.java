/**
 * Baked face animation: motion frames turned into a jME {@link com.jme3.anim.AnimClip} with one
 * morph-weight track per face geometry and rotation tracks for the jaw and neck ({@link FaceClips}),
 * played by an {@link com.jme3.anim.AnimComposer} with no inference, and {@link BakedFaceControl},
 * which applies the clip's morph weights exactly (all signed weights, as the rig does).
 */
package dev.parley.anim;
