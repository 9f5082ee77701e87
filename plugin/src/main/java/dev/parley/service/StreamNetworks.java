package dev.parley.service;

import dev.parley.features.AudioEncoder;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Denoiser;
import dev.parley.util.Validate;

/**
 * A pack's streaming model as the inference service runs it: the stream audio encoder (a window and its
 * context) and the denoiser over {@code stream.window} frames (docs/model-pack.md).
 *
 * @param audioEncoder the stream audio encoder (not null; used by the worker only)
 * @param denoiser the stream denoiser (not null; used by the worker only)
 */
public record StreamNetworks(AudioEncoder audioEncoder, Denoiser denoiser) {

    /**
     * Checks the values (each as described in the class comment).
     *
     * @param audioEncoder see {@link #audioEncoder()}
     * @param denoiser see {@link #denoiser()}
     */
    public StreamNetworks {
        Validate.nonNull(audioEncoder, "audioEncoder");
        Validate.nonNull(denoiser, "denoiser");
    }

    /**
     * @param pack an open pack (not null)
     * @return the pack's stream model, or null if it has none
     */
    public static StreamNetworks of(ParleyPack pack) {
        return pack.streamDenoiser() == null ? null
                : new StreamNetworks(pack.streamAudioEncoder(), pack.streamDenoiser());
    }
}
