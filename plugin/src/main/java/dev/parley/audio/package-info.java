/**
 * Audio in: dialogue PCM copied out of jME's {@link com.jme3.audio.AudioData} at load time (the
 * renderer may free its buffer), downmixed to mono and resampled to the model pack's rate with a
 * windowed-sinc resampler. The first step of the data flow: audio &rarr; features &rarr; sampler &rarr; motion &rarr; rig.
 */
package dev.parley.audio;
