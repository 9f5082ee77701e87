package dev.parley.service;

import dev.parley.features.AudioEncoder;
import dev.parley.util.Validate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Windows of equal length encoded in one audio-encoder call, one window per row of the batch axis: the inference
 * worker adds each window's PCM as its line cuts it, then {@link #encode}s them all. The rows do not mix
 * ({@link AudioEncoder}: each row is normalised on its own), so a row's features are those of its window encoded
 * alone, within the float error of another GEMM shape. Windows of different lengths are never padded into one
 * call (the encoder attends over the whole window, so padding would change every frame): they go in separate
 * batches. If the batched call throws, each window is encoded alone, so only the window at fault fails
 * ({@link #failure}).
 *
 * <p>Buffers: the rows are copied into a staging array that grows to the largest batch seen; the encoder's input
 * and output are arrays of this batch, one pair per (rows, samples), the {@link #KEPT_SHAPES} most recent kept.
 * Nothing is handed out but {@link #features()}, valid until the next {@link #clear}. Not thread-safe: the
 * worker's alone.
 */
final class EncoderBatch {

    /** Input and output shapes kept: a full window's, and a few stream context lengths and batch sizes. */
    static final int KEPT_SHAPES = 12;

    private final AudioEncoder encoder;
    private final int samplesPerFrame;
    private final int featureDim;
    private final Map<Long, float[][]> shapes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, float[][]> eldest) {
            return size() > KEPT_SHAPES;
        }
    };
    private float[] staging = new float[0];
    private RuntimeException[] failures = new RuntimeException[4];
    private float[] features;
    private int samples;
    private int rows;
    private long calls;
    private long windows;

    /**
     * @param encoder the audio encoder (not null; called from the worker only)
     * @param samplesPerFrame PCM samples per motion frame (&gt;0)
     * @param featureDim audio features per frame (&gt;0)
     */
    EncoderBatch(AudioEncoder encoder, int samplesPerFrame, int featureDim) {
        this.encoder = Validate.nonNull(encoder, "encoder");
        this.samplesPerFrame = Validate.inRange(samplesPerFrame, 1, Integer.MAX_VALUE, "samplesPerFrame");
        this.featureDim = Validate.inRange(featureDim, 1, Integer.MAX_VALUE, "featureDim");
    }

    /**
     * Starts a new batch (the last one's rows, features and failures are dropped).
     *
     * @param windowSamples the samples of every window of the batch (a positive multiple of samplesPerFrame)
     */
    void clear(int windowSamples) {
        if (windowSamples <= 0 || windowSamples % samplesPerFrame != 0) {
            throw new IllegalArgumentException("windowSamples must be a positive multiple of " + samplesPerFrame
                    + " but is " + windowSamples);
        }
        samples = windowSamples;
        rows = 0;
        features = null;
    }

    /**
     * Adds a window as the next row.
     *
     * @param pcm the window's PCM (not null, {@code windowSamples} long, unaffected: copied)
     * @return the window's row
     */
    int add(float[] pcm) {
        Validate.length(pcm, samples, "pcm");
        if (features != null) {
            throw new IllegalStateException("the batch was encoded: clear it before adding windows");
        }
        if ((long) (rows + 1) * samples > staging.length) {
            staging = Arrays.copyOf(staging, Math.max((rows + 1) * samples, 2 * staging.length));
        }
        System.arraycopy(pcm, 0, staging, rows * samples, samples);
        if (rows == failures.length) {
            failures = Arrays.copyOf(failures, 2 * rows);
        }
        failures[rows] = null;
        return rows++;
    }

    /** @return the windows added since the last {@link #clear} */
    int size() {
        return rows;
    }

    /**
     * Encodes every row in one call; if that call throws, encodes each row alone and records which failed.
     *
     * @throws IllegalStateException if the batch is empty
     */
    void encode() {
        if (rows == 0) {
            throw new IllegalStateException("no windows to encode");
        }
        int frameFeatures = samples / samplesPerFrame * featureDim;
        float[][] io = shapes.computeIfAbsent(((long) rows << 32) | samples,
                k -> new float[][] {new float[rows * samples], new float[rows * frameFeatures]});
        System.arraycopy(staging, 0, io[0], 0, rows * samples);
        try {
            encoder.encode(io[0], rows, samples, io[1]);
            calls++;
        } catch (RuntimeException e) {
            if (rows == 1) {
                failures[0] = e;
            } else {
                encodeAlone(io[1], frameFeatures);
            }
        }
        windows += rows;
        features = io[1];
    }

    /** Finds the rows at fault after a batched call threw: encodes each alone into its row of {@code out}. */
    private void encodeAlone(float[] out, int frameFeatures) {
        float[][] one = shapes.computeIfAbsent((1L << 32) | samples,
                k -> new float[][] {new float[samples], new float[frameFeatures]});
        for (int r = 0; r < rows; r++) {
            System.arraycopy(staging, r * samples, one[0], 0, samples);
            try {
                encoder.encode(one[0], 1, samples, one[1]);
                System.arraycopy(one[1], 0, out, r * frameFeatures, frameFeatures);
            } catch (RuntimeException lineError) {
                failures[r] = lineError;
            }
            calls++;
        }
    }

    /**
     * @param row a row of the encoded batch
     * @return why the row's window could not be encoded, or null if its features are in {@link #features()}
     */
    RuntimeException failure(int row) {
        checkRow(row);
        return failures[row];
    }

    /**
     * @return the encoded features, row-major [rows * frames * featureDim] (not null; an array of this batch: read
     *     it before the next {@link #clear}, do not modify)
     * @throws IllegalStateException if the batch was not encoded
     */
    float[] features() {
        if (features == null) {
            throw new IllegalStateException("the batch is not encoded yet");
        }
        return features;
    }

    /**
     * @param row a row of the batch
     * @return where the row's features start in {@link #features()}
     */
    int featureOffset(int row) {
        checkRow(row);
        return row * (samples / samplesPerFrame) * featureDim;
    }

    /** @return encoder calls made so far (a batch that had to be split counts each call) */
    long calls() {
        return calls;
    }

    /** @return windows encoded so far (failed ones included) */
    long windows() {
        return windows;
    }

    private void checkRow(int row) {
        Validate.inRange(row, 0, rows - 1, "row");
    }
}
