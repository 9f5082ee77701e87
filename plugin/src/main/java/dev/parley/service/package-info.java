/**
 * The inference service: one background worker that runs every talking character's audio encoding
 * and diffusion sampling, batching characters into shared runs, and hands finished windows of motion
 * to the render thread through lock-free queues ({@link dev.parley.service.InferenceService},
 * {@link dev.parley.service.LineJob}).
 */
package dev.parley.service;
