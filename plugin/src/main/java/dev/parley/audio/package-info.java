/**
 * Audio in: dialogue PCM copied out of jME's {@link com.jme3.audio.AudioData} at load time (the
 * renderer may free its buffer) or read from WAV files by Parley's own {@link dev.parley.audio.WavReader},
 * downmixed to mono and resampled to the model pack's rate with a windowed-sinc resampler whose
 * tables are built on the worker and cached. {@link dev.parley.audio.AudioFiles} is the loading path
 * for assets with errors a game can act on; {@link dev.parley.audio.AudioLimits} declares what is
 * accepted. The first step of the data flow: audio &rarr; features &rarr; sampler &rarr; motion &rarr; rig.
 */
package dev.parley.audio;
