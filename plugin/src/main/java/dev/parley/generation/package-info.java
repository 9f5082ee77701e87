/**
 * Line generation: cutting a line into the pack's windows, seeding and conditioning each window on
 * the last frames of the one before, checking and de-normalising what the sampler returns
 * ({@link dev.parley.generation.LineGenerator}; for streamed lines on a pack's stream model, short
 * windows cut as their audio arrives, {@link dev.parley.generation.StreamGenerator}). The step between
 * the sampler and motion frames; the inference service drives it on its worker thread.
 */
package dev.parley.generation;
