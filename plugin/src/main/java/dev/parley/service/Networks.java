package dev.parley.service;

import dev.parley.features.AudioEncoder;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Denoiser;
import dev.parley.style.Adapter;
import dev.parley.util.Validate;
import java.util.function.Function;

/**
 * What the inference service runs: a pack's audio encoder and denoisers, plain and adapted (or stand-ins with the same
 * contract, such as a denoiser wrapped to inject faults in tests), and what to close when the service's
 * worker is done with them.
 *
 * @param audioEncoder the audio encoder (not null; used by the worker only)
 * @param denoiser the denoiser (not null; used by the worker only)
 * @param distilledDenoiser the pack's distilled, guidance-folded denoiser (null: none; folded lines then
 *     run on {@code denoiser} with the pack's guidance; used by the worker only)
 * @param owner closed by the worker itself once it has stopped using the networks, so never while a run
 *     is in progress (null = the caller closes them, after the worker has stopped)
 * @param adapted makes (or returns the kept) denoiser that runs an expression adapter, on the worker: a pack's
 *     {@link ParleyPack#adaptedDenoiser}; it throws where the adapter cannot run (null = no adapters: adapted
 *     lines run on {@code denoiser})
 * @param stream the pack's streaming model (null: none; streamed lines then run on full windows)
 */
public record Networks(AudioEncoder audioEncoder, Denoiser denoiser, Denoiser distilledDenoiser,
        AutoCloseable owner, Function<Adapter, Denoiser> adapted, StreamNetworks stream) {

    /**
     * Checks the values (each as described in the class comment).
     *
     * @param audioEncoder see {@link #audioEncoder()}
     * @param denoiser see {@link #denoiser()}
     * @param distilledDenoiser see {@link #distilledDenoiser()}
     * @param owner see {@link #owner()}
     * @param adapted see {@link #adapted()}
     * @param stream see {@link #stream()}
     */
    public Networks {
        Validate.nonNull(audioEncoder, "audioEncoder");
        Validate.nonNull(denoiser, "denoiser");
    }

    /**
     * Networks without adapters.
     *
     * @param audioEncoder see {@link #audioEncoder()}
     * @param denoiser see {@link #denoiser()}
     * @param distilledDenoiser see {@link #distilledDenoiser()}
     * @param owner see {@link #owner()}
     */
    public Networks(AudioEncoder audioEncoder, Denoiser denoiser, Denoiser distilledDenoiser, AutoCloseable owner) {
        this(audioEncoder, denoiser, distilledDenoiser, owner, null, null);
    }

    /**
     * Networks without a stream model.
     *
     * @param audioEncoder see {@link #audioEncoder()}
     * @param denoiser see {@link #denoiser()}
     * @param distilledDenoiser see {@link #distilledDenoiser()}
     * @param owner see {@link #owner()}
     * @param adapted see {@link #adapted()}
     */
    public Networks(AudioEncoder audioEncoder, Denoiser denoiser, Denoiser distilledDenoiser, AutoCloseable owner,
            Function<Adapter, Denoiser> adapted) {
        this(audioEncoder, denoiser, distilledDenoiser, owner, adapted, null);
    }

    /**
     * @param newOwner see {@link #owner()}
     * @return these networks with another owner (not null)
     */
    public Networks withOwner(AutoCloseable newOwner) {
        return new Networks(audioEncoder, denoiser, distilledDenoiser, newOwner, adapted, stream);
    }

    /**
     * Networks without a distilled denoiser.
     *
     * @param audioEncoder the audio encoder (not null; used by the worker only)
     * @param denoiser the denoiser (not null; used by the worker only)
     * @param owner see {@link #owner()}
     */
    public Networks(AudioEncoder audioEncoder, Denoiser denoiser, AutoCloseable owner) {
        this(audioEncoder, denoiser, null, owner);
    }

    /**
     * Networks the caller closes, without a distilled denoiser.
     *
     * @param audioEncoder the audio encoder (not null; used by the worker only)
     * @param denoiser the denoiser (not null; used by the worker only)
     */
    public Networks(AudioEncoder audioEncoder, Denoiser denoiser) {
        this(audioEncoder, denoiser, null);
    }

    /**
     * @param pack an open pack (not null)
     * @return the pack's networks (not null; still owned by the pack: the caller closes it)
     */
    public static Networks of(ParleyPack pack) {
        return new Networks(pack.audioEncoder(), pack.denoiser(), pack.distilledDenoiser(), null,
                pack::adaptedDenoiser, StreamNetworks.of(pack));
    }

    /**
     * @param pack an open pack (not null; the service's worker closes it when it stops)
     * @return the pack's networks (not null)
     */
    public static Networks owning(ParleyPack pack) {
        return new Networks(pack.audioEncoder(), pack.denoiser(), pack.distilledDenoiser(), pack,
                pack::adaptedDenoiser, StreamNetworks.of(pack));
    }
}
