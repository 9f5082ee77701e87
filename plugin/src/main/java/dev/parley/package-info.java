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
 *   <li>{@link dev.parley.rig}: binding a loaded model's morph targets and joints, and applying frames;</li>
 *   <li>{@link dev.parley.pack}: model packs, their manifest and ONNX Runtime sessions;</li>
 *   <li>{@link dev.parley.features}: a line's audio cut into encoder windows, and the audio encoder;</li>
 *   <li>{@link dev.parley.sampler}: DDIM with classifier-free guidance, batched across characters;</li>
 *   <li>{@link dev.parley.generation}: a line generated window by window;</li>
 *   <li>{@link dev.parley.service}: the inference worker and its lock-free hand-off;</li>
 *   <li>{@link dev.parley.app}: what a game uses: {@link dev.parley.app.ParleyAppState} and
 *       {@link dev.parley.app.TalkingHead}.</li>
 * </ul>
 */
package dev.parley;
