package dev.parley.sampler;

/**
 * Which sampler a line runs ({@code LineOptions.withSampler}): the guided few-step DDIM (three guidance
 * branches per step, any step count and guidance) or the pack's distilled student (guidance folded into
 * its weights, one row per step, the manifest's step count and the pack's guidance only).
 */
public enum SamplerKind {
    /** Guided DDIM: the pack's denoiser, three guidance branches per step (docs/model-pack.md). */
    DDIM,
    /** The pack's distilled, guidance-folded denoiser ({@code sampling.distilled}), one row per step. */
    DISTILLED
}
