package dev.parley.audio;

/**
 * The limits on dialogue audio that Parley accepts, declared once. Audio outside them fails with an
 * {@link AudioInputException} (a file or decoded asset) or an {@link IllegalArgumentException} (PCM
 * handed to the API), never with an out-of-memory error or a frozen frame.
 */
public final class AudioLimits {

    /** The lowest sample rate accepted, in Hz. */
    public static final int MIN_RATE = 4_000;
    /**
     * The highest sample rate accepted, in Hz. Above it the resampler's filter tables grow past about
     * 20 MB and take seconds to build.
     */
    public static final int MAX_RATE = 192_000;
    /** The most channels a line may have (downmixed to mono). */
    public static final int MAX_CHANNELS = 8;
    /** The longest line, in seconds (15 minutes). */
    public static final float MAX_SECONDS = 15 * 60f;
    /** The largest audio file Parley reads itself, in bytes (256 MiB). */
    public static final long MAX_FILE_BYTES = 256L << 20;

    private AudioLimits() {
    }

    /**
     * @param rate a sample rate in Hz
     * @return true if {@code rate} lies in [{@link #MIN_RATE}, {@link #MAX_RATE}]
     */
    public static boolean rateAccepted(int rate) {
        return rate >= MIN_RATE && rate <= MAX_RATE;
    }
}
