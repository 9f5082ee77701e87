package dev.parley.audio;

/**
 * A source of mono PCM read piece by piece, such as a decoder working through a long line, so that a
 * line never has to be held in memory whole. Called from one thread (the inference worker).
 */
public interface PcmReader extends AutoCloseable {

    /**
     * Reads the next samples.
     *
     * @param store receives mono samples in [-1, 1] (not null, modified from index 0)
     * @return the number of samples written (&gt;0), or -1 at the end of the audio
     * @throws AudioInputException if the audio turns out to be corrupt or truncated
     */
    int read(float[] store);

    /**
     * @return the peak absolute sample value of the whole audio when known before reading it (so
     *     silent lines fail before they start), or -1 if unknown
     */
    default float knownPeak() {
        return -1f;
    }

    /** @return the sample rate (&gt;0) */
    int sampleRate();

    /** Releases the source. Idempotent; never throws. */
    @Override
    void close();
}
