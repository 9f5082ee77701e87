package dev.parley.audio;

import dev.parley.util.Validate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Band-limited sample-rate conversion with a Kaiser-windowed sinc kernel, evaluated as a polyphase
 * filter (one precomputed kernel per output phase). The cut-off sits just below the lower of the two
 * Nyquist frequencies, so downsampling removes what would alias instead of folding it back as naive
 * decimation does. Immutable and thread-safe.
 *
 * <p>Constructing one is cheap: the filter table (up to 8192 phases, tens of milliseconds to seconds
 * for odd rates such as 44,098 Hz) is built on the first {@link #process} call, on the caller's
 * thread (Parley's inference worker, never the render thread), and cached per rate pair: at most
 * {@value #CACHE_TABLES} tables and {@value #CACHE_FLOATS} floats (64 MB) in all, least recently
 * used first out. Each build is logged at FINE.
 */
public final class Resampler {

    /** The most filter tables kept. */
    public static final int CACHE_TABLES = 16;
    /** The most floats all cached filter tables hold together. */
    public static final long CACHE_FLOATS = 16L << 20;

    private static final Logger LOG = Logger.getLogger(Resampler.class.getName());
    // Kernel half-width in samples of the lower rate; with beta 8 the stop band is about 80 dB down.
    private static final int HALF_WIDTH = 24;
    private static final double KAISER_BETA = 8.0;
    private static final double CUTOFF = 0.92;
    private static final int MAX_PHASES = 8192;
    // Guarded by itself; access order, so the eldest entry is the least recently used.
    private static final LinkedHashMap<Long, float[][]> TABLES = new LinkedHashMap<>(16, 0.75f, true);
    private static long cachedFloats;

    private final int inRate;
    private final int outRate;
    private final int up;     // output phases per input step (L)
    private final int down;   // input samples per L outputs (M)
    private final int taps;   // kernel length per phase
    private final int reach;  // first tap offset relative to floor(centre)
    private final double fc;
    private final double halfWidth;
    private volatile float[][] kernels; // built or fetched on first use

    /**
     * Checks the rates and sizes the filter; builds nothing.
     *
     * @param inRate the input rate (&gt;0)
     * @param outRate the output rate (&gt;0)
     * @throws IllegalArgumentException if the rates reduce to more than 8192 phases
     */
    public Resampler(int inRate, int outRate) {
        this.inRate = Validate.inRange(inRate, 1, 1_000_000, "inRate");
        this.outRate = Validate.inRange(outRate, 1, 1_000_000, "outRate");
        int g = gcd(inRate, outRate);
        up = outRate / g;
        down = inRate / g;
        if (up > MAX_PHASES) {
            throw new IllegalArgumentException("resampling " + inRate + " Hz to " + outRate + " Hz needs " + up
                    + " filter phases, more than " + MAX_PHASES + "; resample to a rounder rate first");
        }
        fc = CUTOFF * Math.min(1.0, (double) outRate / inRate);
        halfWidth = HALF_WIDTH / fc;
        reach = (int) Math.ceil(halfWidth);
        taps = 2 * reach;
    }

    /**
     * @param inRate the input rate
     * @param outRate the output rate
     * @return true if the filter table for these rates is cached now
     */
    public static boolean isCached(int inRate, int outRate) {
        synchronized (TABLES) {
            return TABLES.containsKey(key(inRate, outRate));
        }
    }

    /** @return the filter table, from the cache or built now on the calling thread */
    private float[][] kernels() {
        float[][] k = kernels;
        if (k != null) {
            return k;
        }
        long key = key(inRate, outRate);
        synchronized (TABLES) {
            k = TABLES.get(key);
        }
        if (k == null) {
            long start = System.nanoTime();
            k = build();
            if (LOG.isLoggable(Level.FINE)) {
                LOG.fine(String.format(Locale.ROOT,
                        "built the %d -> %d Hz filter table (%d phases x %d taps) in %.1f ms",
                        inRate, outRate, up, taps, (System.nanoTime() - start) / 1e6));
            }
            cache(key, k);
        }
        kernels = k;
        return k;
    }

    private float[][] build() {
        float[][] table = new float[up][taps];
        double i0Beta = besselI0(KAISER_BETA);
        for (int p = 0; p < up; p++) {
            double frac = (double) p / up; // centre = floor + frac
            for (int j = 0; j < taps; j++) {
                double x = (j - reach + 1) - frac;
                double r = x / halfWidth;
                double window = Math.abs(r) >= 1.0 ? 0.0 : besselI0(KAISER_BETA * Math.sqrt(1.0 - r * r)) / i0Beta;
                table[p][j] = (float) (fc * sinc(fc * x) * window);
            }
        }
        return table;
    }

    private static void cache(long key, float[][] table) {
        long floats = (long) table.length * table[0].length;
        synchronized (TABLES) {
            if (TABLES.putIfAbsent(key, table) != null) {
                return; // another thread built the same table meanwhile
            }
            cachedFloats += floats;
            Iterator<Map.Entry<Long, float[][]>> eldest = TABLES.entrySet().iterator();
            while ((TABLES.size() > CACHE_TABLES || cachedFloats > CACHE_FLOATS) && TABLES.size() > 1) {
                float[][] gone = eldest.next().getValue();
                cachedFloats -= (long) gone.length * gone[0].length;
                eldest.remove();
            }
        }
    }

    private static long key(int inRate, int outRate) {
        return ((long) inRate << 32) | (outRate & 0xFFFF_FFFFL);
    }

    /**
     * Resamples a whole clip (building or fetching the filter table first).
     *
     * @param in samples at the input rate (not null, unaffected)
     * @return a new array at the output rate, {@code floor(in.length * outRate / inRate)} long
     */
    public float[] process(float[] in) {
        Validate.nonNull(in, "in");
        float[] out = new float[(int) outputLength(in.length)];
        process(in, 0, 0, in.length, 0, out, 0, out.length);
        return out;
    }

    /**
     * Computes a range of output samples from a window of the input, for streams and long lines that
     * are converted piece by piece. Input samples outside the window count as zero, so a piece equals
     * the same range of {@link #process(float[])} on the whole input whenever the window holds
     * every input sample the range reads: [{@link #firstInput(long) firstInput(outStart)},
     * {@link #endInput(long) endInput(outStart + count - 1)}).
     *
     * @param in holds input samples (not null, unaffected)
     * @param inStart the absolute input index of {@code in[inOffset]} (&ge;0)
     * @param inOffset where the window starts in {@code in}
     * @param inLength the window's length
     * @param outStart the absolute index of the first output sample (&ge;0)
     * @param out the destination (not null, modified)
     * @param outPos where to write in {@code out}
     * @param count output samples to compute (&ge;0)
     */
    public void process(float[] in, long inStart, int inOffset, int inLength, long outStart, float[] out, int outPos,
            int count) {
        Validate.nonNull(in, "in");
        Validate.nonNull(out, "out");
        if (inOffset < 0 || inLength < 0 || inOffset + inLength > in.length || outPos < 0 || count < 0
                || outPos + count > out.length || inStart < 0 || outStart < 0) {
            throw new IllegalArgumentException("bad range: in " + inOffset + "+" + inLength + " of " + in.length
                    + ", out " + outPos + "+" + count + " of " + out.length);
        }
        float[][] table = kernels();
        for (int k = 0; k < count; k++) {
            long pos = (outStart + k) * down;
            long base = pos / up;
            float[] kernel = table[(int) (pos % up)];
            long start = base - reach + 1 - inStart; // first tap, relative to the window
            double acc = 0.0;
            int j0 = (int) Math.max(0, -start);
            int j1 = (int) Math.min(taps, inLength - start);
            int at = (int) (inOffset + start);
            for (int j = j0; j < j1; j++) {
                acc += kernel[j] * in[at + j];
            }
            out[outPos + k] = (float) acc;
        }
    }

    /**
     * @param inputLength input samples
     * @return the output samples they give: {@code floor(inputLength * outRate / inRate)}
     */
    public long outputLength(long inputLength) {
        return inputLength * outRate / inRate;
    }

    /**
     * @param outIndex an output sample index (&ge;0)
     * @return the first input sample it reads (may be negative near the start)
     */
    public long firstInput(long outIndex) {
        return outIndex * down / up - reach + 1;
    }

    /**
     * @param outIndex an output sample index (&ge;0)
     * @return one past the last input sample it reads
     */
    public long endInput(long outIndex) {
        return firstInput(outIndex) + taps;
    }

    /** @return the input rate */
    public int inRate() {
        return inRate;
    }

    /** @return the output rate */
    public int outRate() {
        return outRate;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static double sinc(double x) {
        if (Math.abs(x) < 1e-12) {
            return 1.0;
        }
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** Zeroth-order modified Bessel function of the first kind (power series). */
    private static double besselI0(double x) {
        double sum = 1.0;
        double term = 1.0;
        double q = x * x / 4.0;
        for (int k = 1; k < 60; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-14) {
                break;
            }
        }
        return sum;
    }
}
