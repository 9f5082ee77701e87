package dev.parley.audio;

import com.jme3.audio.AudioStream;
import dev.parley.util.Validate;
import java.util.Arrays;

/**
 * Reads a jME {@link AudioStream} (for example an OGG line loaded with {@code new AudioKey(path, true)})
 * piece by piece as mono PCM, so that long lines are converted in bounded memory. The stream is
 * consumed and closed; give it a stream of its own, not the one an {@code AudioNode} is playing.
 */
public final class AudioStreamReader implements PcmReader {

    private final AudioStream stream;
    private final String name;
    private final int channels;
    private final int bits;
    private final int frameBytes;
    private final int rate;
    private byte[] bytes = new byte[0];
    private int pending;
    private long total;
    private boolean ended;

    /**
     * @param stream the stream to read (not null; consumed and closed by this reader)
     * @param name the line's name for messages (not null)
     * @throws AudioInputException if the format is unsupported
     */
    public AudioStreamReader(AudioStream stream, String name) {
        this.stream = Validate.nonNull(stream, "stream");
        this.name = Validate.nonNull(name, "name");
        channels = stream.getChannels();
        bits = stream.getBitsPerSample();
        rate = stream.getSampleRate();
        AudioDataReader.checkFormat(name, channels, bits, rate);
        frameBytes = channels * bits / 8;
    }

    @Override
    public int read(float[] store) {
        Validate.nonNull(store, "store");
        if (ended) {
            return -1;
        }
        int want = Math.max(1, store.length) * frameBytes;
        if (bytes.length < want) {
            bytes = Arrays.copyOf(bytes, want);
        }
        while (pending < frameBytes) {
            int n = stream.readSamples(bytes, pending, want - pending);
            if (n <= 0) {
                ended = true;
                close();
                if (pending != 0) {
                    throw new AudioInputException(name, "is truncated: " + (total + pending)
                            + " bytes is not a whole number of "
                            + frameBytes + "-byte frames");
                }
                if (total == 0) {
                    throw new AudioInputException(name, "is empty (zero samples)");
                }
                return -1;
            }
            pending += n;
        }
        int whole = pending - pending % frameBytes;
        float[] mono = AudioDataReader.downmix(Arrays.copyOf(bytes, whole), channels, bits);
        System.arraycopy(mono, 0, store, 0, mono.length);
        System.arraycopy(bytes, whole, bytes, 0, pending - whole);
        pending -= whole;
        total += whole;
        return mono.length;
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (RuntimeException e) {
            // Closing is best effort: the stream is done with either way.
        }
    }
}
