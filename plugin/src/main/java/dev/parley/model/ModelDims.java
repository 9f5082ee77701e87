package dev.parley.model;

import dev.parley.util.Validate;

/**
 * The model's dimensions, as a pack's manifest declares them (docs/model-pack.md) and its graphs
 * take them. Built once by {@code PackManifest}; every buffer and tensor shape is derived from it.
 *
 * @param sampleRate the audio rate the audio encoder expects, Hz (in [1, {@link #MAX_SAMPLE_RATE}])
 * @param samplesPerFrame audio samples per motion frame (in [1, {@link #MAX_SAMPLES_PER_FRAME}])
 * @param audioDim Da, the audio feature width (in [1, {@link #MAX_WIDTH}])
 * @param windowFrames Tw, frames per window (in [1, {@link #MAX_FRAMES}])
 * @param previousFrames Tp, previous frames conditioning a window (in [1, {@link #MAX_FRAMES}]; fewer than
 *     {@code windowFrames} in a pack's full windows, more in its short stream windows)
 * @param motionDim M, the motion vector's width (in [1, {@link #MAX_WIDTH}])
 * @param styleDim Ds, the style embedding's width (in [1, {@link #MAX_WIDTH}])
 * @param styleFrames Ts, frames of motion the style encoder reads (in [1, {@link #MAX_FRAMES}])
 * @param shapeDim the shape (identity) width (in [1, {@link #MAX_WIDTH}])
 * @param memory the denoiser's audio memory (pack 1.4.0 on: the {@code audio_memory} graph's output, which
 *     the {@code denoiser} graph reads instead of the audio features), or null for the one-graph denoiser of
 *     packs before 1.4.0
 */
public record ModelDims(int sampleRate, int samplesPerFrame, int audioDim, int windowFrames, int previousFrames,
        int motionDim, int styleDim, int styleFrames, int shapeDim, Memory memory) {

    /**
     * The size of the denoiser's audio memory, {@code audio_memory} [B, layers, 3, Tw, width]: per layer
     * the cross-attention's keys, values and projected values of a window's audio, computed once per
     * window (docs/model-pack.md).
     *
     * @param layers the denoiser's layers (in [1, {@link #MAX_LAYERS}])
     * @param width the denoiser's width (in [1, {@link #MAX_WIDTH}])
     */
    public record Memory(int layers, int width) {

        /**
         * Checks the values (each as described in the class comment).
         *
         * @param layers see {@link #layers()}
         * @param width see {@link #width()}
         */
        public Memory {
            Validate.inRange(layers, 1, MAX_LAYERS, "layers");
            Validate.inRange(width, 1, MAX_WIDTH, "width");
        }
    }

    /** The highest audio rate a pack may declare (Hz). */
    public static final int MAX_SAMPLE_RATE = 384_000;
    /** The most audio samples per motion frame. */
    public static final int MAX_SAMPLES_PER_FRAME = 1 << 16;
    /** The most frames in a window or a style clip (400 s at 25 fps). */
    public static final int MAX_FRAMES = 10_000;
    /** The widest feature, motion, style or shape vector. */
    public static final int MAX_WIDTH = 4096;
    /** The most denoiser layers. */
    public static final int MAX_LAYERS = 64;

    /**
     * Checks the values, each as described in the class comment (the manifest reports a bad field by
     * name before it gets here; this guards other callers).
     *
     * @param sampleRate see {@link #sampleRate()}
     * @param samplesPerFrame see {@link #samplesPerFrame()}
     * @param audioDim see {@link #audioDim()}
     * @param windowFrames see {@link #windowFrames()}
     * @param previousFrames see {@link #previousFrames()}
     * @param motionDim see {@link #motionDim()}
     * @param styleDim see {@link #styleDim()}
     * @param styleFrames see {@link #styleFrames()}
     * @param shapeDim see {@link #shapeDim()}
     * @param memory see {@link #memory()}
     */
    public ModelDims {
        Validate.inRange(sampleRate, 1, MAX_SAMPLE_RATE, "sampleRate");
        Validate.inRange(samplesPerFrame, 1, MAX_SAMPLES_PER_FRAME, "samplesPerFrame");
        Validate.inRange(audioDim, 1, MAX_WIDTH, "audioDim");
        Validate.inRange(windowFrames, 1, MAX_FRAMES, "windowFrames");
        Validate.inRange(previousFrames, 1, MAX_FRAMES, "previousFrames");
        Validate.inRange(motionDim, 1, MAX_WIDTH, "motionDim");
        Validate.inRange(styleDim, 1, MAX_WIDTH, "styleDim");
        Validate.inRange(styleFrames, 1, MAX_FRAMES, "styleFrames");
        Validate.inRange(shapeDim, 1, MAX_WIDTH, "shapeDim");
        if (memory != null && (long) memory.layers() * 3 * windowFrames * memory.width() > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException("an audio memory of " + memory + " over " + windowFrames
                    + " frames is too large");
        }
    }

    /**
     * Dimensions of a one-graph denoiser (packs before 1.4.0), without an audio memory.
     *
     * @param sampleRate see {@link #sampleRate()}
     * @param samplesPerFrame see {@link #samplesPerFrame()}
     * @param audioDim see {@link #audioDim()}
     * @param windowFrames see {@link #windowFrames()}
     * @param previousFrames see {@link #previousFrames()}
     * @param motionDim see {@link #motionDim()}
     * @param styleDim see {@link #styleDim()}
     * @param styleFrames see {@link #styleFrames()}
     * @param shapeDim see {@link #shapeDim()}
     */
    public ModelDims(int sampleRate, int samplesPerFrame, int audioDim, int windowFrames, int previousFrames,
            int motionDim, int styleDim, int styleFrames, int shapeDim) {
        this(sampleRate, samplesPerFrame, audioDim, windowFrames, previousFrames, motionDim, styleDim, styleFrames,
                shapeDim, null);
    }

    /** @return values in one window's audio memory: layers &times; 3 &times; Tw &times; width (0 without one) */
    public int memorySize() {
        return memory == null ? 0 : memory.layers() * 3 * windowFrames * memory.width();
    }

    /** @return values in one window of motion: Tw &times; M */
    public int windowSize() {
        return windowFrames * motionDim;
    }

    /** @return values in the previous frames: Tp &times; M */
    public int previousSize() {
        return previousFrames * motionDim;
    }

    /** @return values in one window of audio features: Tw &times; Da */
    public int windowFeatures() {
        return windowFrames * audioDim;
    }

    /** @return audio samples in one window: Tw &times; samplesPerFrame */
    public int windowSamples() {
        return windowFrames * samplesPerFrame;
    }

    /** @return values in one style clip of motion: Ts &times; M */
    public int styleClipSize() {
        return styleFrames * motionDim;
    }
}
