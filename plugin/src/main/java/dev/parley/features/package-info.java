/**
 * Audio features: the second step of the data flow (audio &rarr; features &rarr; sampler &rarr; motion &rarr; rig).
 * {@link dev.parley.features.AudioEncoder} turns PCM windows into features at 25 fps, and
 * {@link dev.parley.features.LineAudio} cuts a line's audio (a whole clip, or PCM arriving in chunks)
 * into the encoder's windows at the pack's rate, and {@link dev.parley.features.SilenceGate} silences the
 * quiet stretches of each window before the encoder where the pack declares a gate.
 */
package dev.parley.features;
