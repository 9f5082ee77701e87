package dev.parley.service;

import dev.parley.util.Validate;
import java.util.function.Consumer;

/**
 * How the inference service uses the machine. Immutable; start from {@link #defaults()} and change
 * what you need with the {@code with...} methods.
 *
 * @param intraOpThreads ONNX Runtime threads per graph run (1 on machines with 4 cores or fewer, so the
 *     render thread keeps a core)
 * @param preferCuda run on CUDA when a usable GPU and the CUDA build of ONNX Runtime are present
 * @param maxBatchCharacters the most characters' windows in one denoiser run
 * @param firstWindowBudget seconds from a line's submission to its first frames: the first window
 *     samples with as many steps as fit (adaptive lines only)
 * @param maxLead seconds of motion generated ahead of playback at most (bounds memory on long lines)
 * @param minSteps the fewest steps degradation goes down to
 * @param streamChunkFrames the fewest frames (at 25 fps) a window of a stream still arriving takes; the
 *     face lags a real-time stream by about this plus one window's compute
 * @param streamIdleTimeout seconds of game time a stream may go without new audio before
 *     {@code finish()}: past it the line fails with a warning naming the character (docs/runtime.md)
 * @param stopTimeout seconds the render thread waits for the worker when Parley is detached; a worker
 *     still in a run after that closes the networks itself when the run ends
 * @param streamModel whether streamed lines run on the pack's stream model where it has one (short windows
 *     as the audio arrives, docs/runtime.md); false: on full windows, as for packs without one
 */
public record ServiceSettings(int intraOpThreads, boolean preferCuda, int maxBatchCharacters, float firstWindowBudget,
        float maxLead, int minSteps, int streamChunkFrames, float streamIdleTimeout, float stopTimeout,
        boolean streamModel) {

    /**
     * Checks the values (each as described in the class comment).
     *
     * @param intraOpThreads see {@link #intraOpThreads()}
     * @param preferCuda see {@link #preferCuda()}
     * @param maxBatchCharacters see {@link #maxBatchCharacters()}
     * @param firstWindowBudget see {@link #firstWindowBudget()}
     * @param maxLead see {@link #maxLead()}
     * @param minSteps see {@link #minSteps()}
     * @param streamChunkFrames see {@link #streamChunkFrames()}
     * @param streamIdleTimeout see {@link #streamIdleTimeout()}
     * @param stopTimeout see {@link #stopTimeout()}
     * @param streamModel see {@link #streamModel()}
     */
    public ServiceSettings {
        Validate.inRange(intraOpThreads, 1, 64, "intraOpThreads");
        Validate.inRange(maxBatchCharacters, 1, 64, "maxBatchCharacters");
        if (!(firstWindowBudget > 0f)) {
            throw new IllegalArgumentException("firstWindowBudget must be > 0 but is " + firstWindowBudget);
        }
        if (!(maxLead >= 4f)) {
            throw new IllegalArgumentException("maxLead must be >= 4 s (one window) but is " + maxLead);
        }
        Validate.inRange(minSteps, 1, 1000, "minSteps");
        Validate.inRange(streamChunkFrames, 1, 100_000, "streamChunkFrames");
        if (!(streamIdleTimeout > 0f && streamIdleTimeout < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("streamIdleTimeout must be > 0 s and finite but is "
                    + streamIdleTimeout);
        }
        if (!(stopTimeout >= 0f && stopTimeout <= 600f)) {
            throw new IllegalArgumentException("stopTimeout must be in [0, 600] s but is " + stopTimeout);
        }
    }

    /**
     * @return 1 ONNX thread on up to 4 cores (2 above), CUDA when usable, batches of up to 4 characters,
     *     first frames within 0.12 s, 8 s of lead, at least 2 steps, stream windows of at least 1 s,
     *     streams ended after 10 s without audio, 10 s to stop the worker, streams on the pack's stream model
     */
    public static ServiceSettings defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServiceSettings(cores <= 4 ? 1 : 2, true, 4, 0.12f, 8f, 2, 25, 10f, 10f, true);
    }

    /**
     * @param threads ONNX Runtime intra-op threads (in [1, 64])
     * @return a copy with that value
     */
    public ServiceSettings withIntraOpThreads(int threads) {
        return copy(c -> c.intraOpThreads = threads);
    }

    /**
     * @param cuda whether to try CUDA
     * @return a copy with that value
     */
    public ServiceSettings withPreferCuda(boolean cuda) {
        return copy(c -> c.preferCuda = cuda);
    }

    /**
     * @param characters the most characters per denoiser run (in [1, 64])
     * @return a copy with that value
     */
    public ServiceSettings withMaxBatchCharacters(int characters) {
        return copy(c -> c.maxBatchCharacters = characters);
    }

    /**
     * @param seconds the first-window budget (&gt;0)
     * @return a copy with that value
     */
    public ServiceSettings withFirstWindowBudget(float seconds) {
        return copy(c -> c.firstWindowBudget = seconds);
    }

    /**
     * @param seconds the most motion generated ahead of playback (&ge;4)
     * @return a copy with that value
     */
    public ServiceSettings withMaxLead(float seconds) {
        return copy(c -> c.maxLead = seconds);
    }

    /**
     * @param frames the fewest frames of a stream window (&ge;1)
     * @return a copy with that value
     */
    public ServiceSettings withStreamChunkFrames(int frames) {
        return copy(c -> c.streamChunkFrames = frames);
    }

    /**
     * @param seconds game time a stream may go without audio before {@code finish()} (&gt;0, finite)
     * @return a copy with that value
     */
    public ServiceSettings withStreamIdleTimeout(float seconds) {
        return copy(c -> c.streamIdleTimeout = seconds);
    }

    /**
     * @param seconds how long detaching waits for the worker (in [0, 600])
     * @return a copy with that value
     */
    public ServiceSettings withStopTimeout(float seconds) {
        return copy(c -> c.stopTimeout = seconds);
    }

    /**
     * @param enabled whether streamed lines run on the pack's stream model where it has one
     * @return a copy with that value
     */
    public ServiceSettings withStreamModel(boolean enabled) {
        return copy(c -> c.streamModel = enabled);
    }

    private ServiceSettings copy(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** A mutable copy, so that each {@code with...} method names only the value it changes. */
    private static final class Copy {
        int intraOpThreads;
        boolean preferCuda;
        int maxBatchCharacters;
        float firstWindowBudget;
        float maxLead;
        int minSteps;
        int streamChunkFrames;
        float streamIdleTimeout;
        float stopTimeout;
        boolean streamModel;

        Copy(ServiceSettings s) {
            intraOpThreads = s.intraOpThreads;
            preferCuda = s.preferCuda;
            maxBatchCharacters = s.maxBatchCharacters;
            firstWindowBudget = s.firstWindowBudget;
            maxLead = s.maxLead;
            minSteps = s.minSteps;
            streamChunkFrames = s.streamChunkFrames;
            streamIdleTimeout = s.streamIdleTimeout;
            stopTimeout = s.stopTimeout;
            streamModel = s.streamModel;
        }

        ServiceSettings build() {
            return new ServiceSettings(intraOpThreads, preferCuda, maxBatchCharacters, firstWindowBudget, maxLead,
                    minSteps, streamChunkFrames, streamIdleTimeout, stopTimeout, streamModel);
        }
    }
}
