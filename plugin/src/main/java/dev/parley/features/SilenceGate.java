package dev.parley.features;

import dev.parley.util.Validate;

/**
 * Silences the quiet stretches of PCM windows before the audio encoder. Recorded lines carry room tone,
 * breath and reverb tails between and after their words, where the synthetic speech the encoder learnt
 * from has digital silence; heard as speech, that noise pressed the lips shut after a line. A pack
 * declares its gate in the manifest ({@code audio.gate}, from 1.7.0), and Python applies the same one
 * ({@code parley.model.audio.SilenceGate}) wherever it runs the encoder.
 *
 * <p>Each row is cut into blocks of {@link #blockSamples()}. A block is kept when its mean power is within
 * {@link #belowPeakDb()} of the row's loudest block, that reference never below {@link #floorDbfs()} (so a
 * window of noise alone is silenced too); so are the {@link #holdBlocks()} blocks after and the
 * {@link #leadBlocks()} blocks before a kept one (decays and onsets). The 0/1 decisions are averaged over
 * 3 blocks, the ends repeated, and each block is scaled by its gain. Each row is gated on its own, as the
 * encoder normalises each on its own.
 *
 * <p>Immutable and thread-safe.
 */
public final class SilenceGate {

    /** Added to a block's mean power before the logarithm: digital silence is -100 dB, not minus infinity. */
    private static final double POWER_FLOOR = 1e-10;

    private final float belowPeakDb;
    private final float floorDbfs;
    private final int blockSamples;
    private final int holdBlocks;
    private final int leadBlocks;

    /**
     * @param belowPeakDb how far below the reference a block is silenced, in dB (&gt;0, finite)
     * @param floorDbfs the lowest reference level, in dB of full-scale power (finite, &le;0)
     * @param blockSamples samples per block (&gt;0)
     * @param holdBlocks blocks kept after a kept block (&ge;0)
     * @param leadBlocks blocks kept before a kept block (&ge;0)
     */
    public SilenceGate(float belowPeakDb, float floorDbfs, int blockSamples, int holdBlocks, int leadBlocks) {
        if (!(belowPeakDb > 0f && belowPeakDb < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("belowPeakDb must be positive and finite but is " + belowPeakDb);
        }
        if (!(floorDbfs <= 0f && floorDbfs > Float.NEGATIVE_INFINITY)) {
            throw new IllegalArgumentException("floorDbfs must be finite and at most 0 but is " + floorDbfs);
        }
        this.belowPeakDb = belowPeakDb;
        this.floorDbfs = floorDbfs;
        this.blockSamples = Validate.inRange(blockSamples, 1, 1 << 16, "blockSamples");
        this.holdBlocks = Validate.inRange(holdBlocks, 0, 1 << 10, "holdBlocks");
        this.leadBlocks = Validate.inRange(leadBlocks, 0, 1 << 10, "leadBlocks");
    }

    /**
     * Gates {@code batch} rows of {@code samples} each.
     *
     * @param pcm the rows, row-major [batch * samples] first (not null, unaffected unless it is {@code out})
     * @param batch the number of rows (&gt;0)
     * @param samples samples per row (a positive multiple of {@link #blockSamples()})
     * @param out receives the gated rows in its first [batch * samples] (not null, modified; may be {@code pcm})
     */
    public void apply(float[] pcm, int batch, int samples, float[] out) {
        Validate.inRange(batch, 1, Integer.MAX_VALUE, "batch");
        if (samples <= 0 || samples % blockSamples != 0) {
            throw new IllegalArgumentException("samples must be a positive multiple of " + blockSamples + " but is "
                    + samples);
        }
        long total = (long) batch * samples;
        if (pcm.length < total || out.length < total) {
            throw new IllegalArgumentException("pcm and out must hold " + total + " samples but hold " + pcm.length
                    + " and " + out.length);
        }
        for (int r = 0; r < batch; r++) {
            int row = r * samples;
            float[] gains = gains(pcm, row, samples);
            for (int b = 0; b < gains.length; b++) {
                float g = gains[b];
                for (int i = row + b * blockSamples, end = i + blockSamples; i < end; i++) {
                    out[i] = pcm[i] * g;
                }
            }
        }
    }

    /**
     * The gains of one row's blocks.
     *
     * @param pcm samples (not null, unaffected)
     * @param offset the row's first sample
     * @param samples the row's length (a multiple of {@link #blockSamples()})
     * @return a new array of {@code samples / blockSamples} gains in [0, 1]
     */
    float[] gains(float[] pcm, int offset, int samples) {
        int n = samples / blockSamples;
        double[] level = new double[n];
        double ref = floorDbfs;
        for (int b = 0; b < n; b++) {
            float power = 0f; // float, as the PyTorch reference sums
            for (int i = offset + b * blockSamples, end = i + blockSamples; i < end; i++) {
                power += pcm[i] * pcm[i];
            }
            level[b] = 10.0 * Math.log10(power / blockSamples + POWER_FLOOR);
            ref = Math.max(ref, level[b]);
        }
        boolean[] kept = new boolean[n];
        for (int b = 0; b < n; b++) {
            if (level[b] > ref - belowPeakDb) {
                for (int k = Math.max(0, b - leadBlocks), end = Math.min(n - 1, b + holdBlocks); k <= end; k++) {
                    kept[k] = true;
                }
            }
        }
        float[] gains = new float[n];
        for (int b = 0; b < n; b++) {
            int sum = (kept[Math.max(0, b - 1)] ? 1 : 0) + (kept[b] ? 1 : 0) + (kept[Math.min(n - 1, b + 1)] ? 1 : 0);
            gains[b] = sum / 3f;
        }
        return gains;
    }

    /** @return how far below the reference a block is silenced, in dB */
    public float belowPeakDb() {
        return belowPeakDb;
    }

    /** @return the lowest reference level, in dB of full-scale power */
    public float floorDbfs() {
        return floorDbfs;
    }

    /** @return samples per block */
    public int blockSamples() {
        return blockSamples;
    }

    /** @return blocks kept after a kept block */
    public int holdBlocks() {
        return holdBlocks;
    }

    /** @return blocks kept before a kept block */
    public int leadBlocks() {
        return leadBlocks;
    }

    @Override
    public String toString() {
        return "SilenceGate[" + belowPeakDb + " dB below peak, floor " + floorDbfs + " dBFS, " + blockSamples
                + "-sample blocks, hold " + holdBlocks + ", lead " + leadBlocks + "]";
    }
}
