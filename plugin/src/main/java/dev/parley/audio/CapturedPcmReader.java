package dev.parley.audio;

import dev.parley.util.Validate;
import java.util.Arrays;

/**
 * Converts {@link CapturedPcm} to mono floats piece by piece on the consumer's thread, so a long
 * buffered line is never held as floats whole. Knows the peak before reading (one pass over the bytes).
 */
public final class CapturedPcmReader implements PcmReader {

    private final CapturedPcm pcm;
    private final int frameBytes;
    private int position;
    private float peak = -1f;

    /**
     * @param pcm the captured bytes (not null; read, not modified)
     */
    public CapturedPcmReader(CapturedPcm pcm) {
        this.pcm = Validate.nonNull(pcm, "pcm");
        frameBytes = pcm.channels() * pcm.bits() / 8;
    }

    @Override
    public int read(float[] store) {
        Validate.nonNull(store, "store");
        int left = (pcm.bytes().length - position) / frameBytes;
        if (left <= 0) {
            return -1;
        }
        int n = Math.min(left, Math.max(1, store.length));
        byte[] chunk = Arrays.copyOfRange(pcm.bytes(), position, position + n * frameBytes);
        System.arraycopy(AudioDataReader.downmix(chunk, pcm.channels(), pcm.bits()), 0, store, 0, n);
        position += n * frameBytes;
        return n;
    }

    @Override
    public float knownPeak() {
        if (peak < 0f) {
            float p = 0f;
            int step = 1 << 16;
            float[] tmp = new float[step];
            CapturedPcmReader scan = new CapturedPcmReader(pcm);
            for (int n; (n = scan.read(tmp)) > 0;) {
                for (int i = 0; i < n; i++) {
                    p = Math.max(p, Math.abs(tmp[i]));
                }
            }
            peak = p;
        }
        return peak;
    }

    @Override
    public int sampleRate() {
        return pcm.sampleRate();
    }

    @Override
    public void close() {
        // Nothing to release: the bytes are garbage once the line lets go of this reader.
    }
}
