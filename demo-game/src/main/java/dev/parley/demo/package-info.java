/**
 * The Parley demo game. {@link dev.parley.demo.ParleyDemo} only assembles app states, each a
 * feature that can be attached or detached: the courtyard ({@link dev.parley.demo.CourtyardState}),
 * the characters ({@link dev.parley.demo.CastState}, one {@link dev.parley.demo.CastMember} each), the
 * orbit camera, the Lemur panel and the scripted mode. Every line goes through the character's
 * {@link dev.parley.app.TalkingHead}; a {@link dev.parley.demo.SpeechDriver} picks its motion source:
 * the audio-driven model or the energy jaw.
 */
package dev.parley.demo;
