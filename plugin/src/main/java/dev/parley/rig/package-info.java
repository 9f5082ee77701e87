/**
 * The rig driver: binds a loaded model's FLAME-structured controls (expression morph targets by name,
 * jaw/neck/eye joints by name) and applies one {@link dev.parley.motion.MotionFrame} per render frame.
 *
 * <p>jME's {@code MorphControl} drops weights below 0.005 (so negative weights vanish) and merges
 * targets beyond the few it sends to the GPU, so Parley applies all signed weights itself through a
 * {@link dev.parley.rig.MorphDeformer}. Joint rotations are set as bind pose &times; delta every
 * frame, never accumulated.
 *
 * <p>A character without FLAME controls binds through a {@link dev.parley.rig.RigProfile}: each frame is solved
 * into a retarget set's weights (ARKit-52, Oculus visemes, VRM 1.0 presets read by
 * {@link dev.parley.rig.VrmExpressions}) that drive the model's morph targets by name.
 */
package dev.parley.rig;
