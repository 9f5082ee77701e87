/**
 * Parley: speech-driven facial animation and head motion for jMonkeyEngine.
 *
 * <p>Data flows one way: audio &rarr; features &rarr; sampler &rarr; motion frames &rarr; rig.
 * Each step lives in its own package:
 * <ul>
 *   <li>{@link dev.parley.audio}: dialogue PCM copied from jME audio data, downmixed and resampled;</li>
 *   <li>{@link dev.parley.style}: speaking styles as assets (embedding, pack id, display name);</li>
 *   <li>{@link dev.parley.head}: the FLAME-structured head spec (component and joint names, regions);</li>
 *   <li>{@link dev.parley.motion}: motion frames, the per-frame face state handed to the rig;</li>
 *   <li>{@link dev.parley.rig}: binding a loaded model's morph targets and joints, and applying frames.</li>
 * </ul>
 */
package dev.parley;
