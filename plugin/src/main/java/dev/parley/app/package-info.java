/**
 * What a game uses: {@link dev.parley.app.ParleyAppState} owns the model pack and the inference
 * service; a {@link dev.parley.app.TalkingHead} per character says lines (audio nodes, PCM, streams),
 * keeps the face in sync with the audio clock, blends speech with idle motion and points the eyes.
 * See docs/runtime.md.
 */
package dev.parley.app;
