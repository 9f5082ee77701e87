/**
 * The Parley demo game. {@link dev.parley.demo.ParleyDemo} only assembles app states, each a
 * feature that can be attached or detached: the courtyard ({@link dev.parley.demo.CourtyardState}),
 * the characters ({@link dev.parley.demo.CastState}, one {@link dev.parley.demo.Speaker} each), the
 * orbit camera, the Lemur panel and the scripted mode. Speech motion comes from a
 * {@link dev.parley.demo.SpeechDriver}: the energy jaw now, the model-driven runtime beside it.
 */
package dev.parley.demo;
