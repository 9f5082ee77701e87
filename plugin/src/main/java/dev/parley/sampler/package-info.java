/**
 * The diffusion sampler: few-step DDIM over a pack's cosine schedule with incremental classifier-free
 * guidance over audio and style, the three guidance branches batched into one denoiser run, for one
 * window of {@code Tw} frames conditioned on the {@code Tp} previous frames.
 */
package dev.parley.sampler;
