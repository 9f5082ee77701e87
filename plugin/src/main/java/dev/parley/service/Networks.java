package dev.parley.service;

import dev.parley.features.AudioEncoder;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Denoiser;
import dev.parley.util.Validate;

/**
 * What the inference service runs: a pack's audio encoder and denoiser (or stand-ins with the same
 * contract, such as a denoiser wrapped to inject faults in tests).
 *
 * @param audioEncoder the audio encoder (not null; used by the worker only)
 * @param denoiser the denoiser (not null; used by the worker only)
 */
public record Networks(AudioEncoder audioEncoder, Denoiser denoiser) {

    /**
     * Checks the values (each as described in the class comment).
     *
     * @param audioEncoder see {@link #audioEncoder()}
     * @param denoiser see {@link #denoiser()}
     */
    public Networks {
        Validate.nonNull(audioEncoder, "audioEncoder");
        Validate.nonNull(denoiser, "denoiser");
    }

    /**
     * @param pack an open pack (not null)
     * @return the pack's networks (not null; still owned by the pack)
     */
    public static Networks of(ParleyPack pack) {
        return new Networks(pack.audioEncoder(), pack.denoiser());
    }
}
