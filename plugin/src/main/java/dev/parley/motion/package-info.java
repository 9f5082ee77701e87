/**
 * Motion frames: the per-frame face state (signed expression weights and joint rotations) that
 * flows from the sampler to the rig. Frames are plain mutable value holders; whoever holds a frame
 * owns it, and the rig only reads frames it is given.
 */
package dev.parley.motion;
