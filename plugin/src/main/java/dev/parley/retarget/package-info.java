/**
 * Retargeting at run time: a Parley motion frame (FLAME-structured expression weights and jaw) solved into
 * another rig's blendshape weights, ARKit-52, the 15 Oculus visemes or the VRM 1.0 presets.
 * {@link dev.parley.retarget.RetargetSet} is one {@code *.retarget.json} asset (made by
 * {@code models/parley/retarget}, see {@code docs/retargeting.md}), loaded and validated, immutable and
 * shared; {@link dev.parley.retarget.Retargeter} solves frames with it, one per thread, allocation-free.
 * Load with {@code RetargetSet.load(assetManager, "Retargets/arkit52.retarget.json")}, or through
 * {@link dev.parley.retarget.RetargetKey} after {@link dev.parley.retarget.RetargetKey#register}.
 */
package dev.parley.retarget;
