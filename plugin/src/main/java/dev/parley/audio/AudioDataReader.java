package dev.parley.audio;

import com.jme3.audio.AudioBuffer;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioStream;
import dev.parley.util.Validate;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies PCM out of jME audio data into a mono {@link PcmClip}. Buffers (WAV, and OGG loaded as a
 * buffer through jme3-jogg) are copied without touching their position; streams are read to the end
 * (and so consumed). Supports 8-bit unsigned and 16/24/32-bit signed little-endian PCM, 1 to 8
 * channels. Files Parley reads itself go through {@link WavReader}, which also takes float WAVs and
 * checks headers against the file.
 */
public final class AudioDataReader {

    /** Streams longer than this many seconds are refused, to bound memory ({@link AudioLimits#MAX_SECONDS}). */
    public static final float MAX_SECONDS = AudioLimits.MAX_SECONDS;

    private AudioDataReader() {
    }

    /**
     * @param data loaded audio (not null, unaffected if a buffer, consumed if a stream)
     * @param name the line's name for messages (not null)
     * @return a new mono clip at the data's sample rate (not null)
     * @throws AudioInputException if the format is unsupported, the data truncated or empty
     */
    public static PcmClip read(AudioData data, String name) {
        return capture(data, name).decode();
    }

    /**
     * Copies the raw PCM bytes out of jME audio data without converting them: the cheap half of
     * {@link #read}, for the render thread (the renderer may free a buffer later); the conversion
     * ({@link CapturedPcm#decode()}) can then run on a worker.
     *
     * @param data loaded audio (not null, unaffected if a buffer, consumed if a stream)
     * @param name the line's name for messages (not null)
     * @return the copied bytes and their format (not null)
     * @throws AudioInputException if the format is unsupported, the data truncated or empty
     */
    public static CapturedPcm capture(AudioData data, String name) {
        Validate.nonNull(data, "data");
        Validate.nonNull(name, "name");
        int channels = data.getChannels();
        int bits = data.getBitsPerSample();
        int rate = data.getSampleRate();
        checkFormat(name, channels, bits, rate);
        byte[] bytes;
        if (data instanceof AudioBuffer buffer) {
            ByteBuffer bb = buffer.getData();
            if (bb == null) {
                throw new AudioInputException(name, "has no PCM data (was the buffer already freed by the renderer?)");
            }
            ByteBuffer view = bb.duplicate();
            view.rewind();
            bytes = new byte[view.remaining()];
            view.get(bytes);
        } else if (data instanceof AudioStream stream) {
            bytes = drain(stream, name, (long) (MAX_SECONDS * rate) * channels * (bits / 8));
        } else {
            throw new AudioInputException(name, "unsupported audio data type " + data.getClass().getSimpleName());
        }
        int frameBytes = channels * bits / 8;
        if (bytes.length == 0) {
            throw new AudioInputException(name, "is empty (zero samples)");
        }
        if (bytes.length % frameBytes != 0) {
            throw new AudioInputException(name, "is truncated: " + bytes.length + " bytes is not a whole number of "
                    + frameBytes + "-byte frames");
        }
        return new CapturedPcm(name, bytes, channels, bits, rate);
    }

    /**
     * Checks a PCM format Parley can read.
     *
     * @param name the line's name for messages (not null)
     * @param channels the channel count
     * @param bits bits per sample
     * @param rate samples per second
     * @throws AudioInputException naming the line and the unsupported value
     */
    static void checkFormat(String name, int channels, int bits, int rate) {
        if (channels < 1 || channels > AudioLimits.MAX_CHANNELS) {
            throw new AudioInputException(name, "has " + channels + " channels (expected 1 to "
                    + AudioLimits.MAX_CHANNELS + ")");
        }
        if (!AudioLimits.rateAccepted(rate)) {
            throw new AudioInputException(name, "has sample rate " + rate + " Hz (expected " + AudioLimits.MIN_RATE
                    + " to " + AudioLimits.MAX_RATE + " Hz)");
        }
        if (bits != 8 && bits != 16 && bits != 24 && bits != 32) {
            throw new AudioInputException(name, "unsupported bit depth " + bits + " (expected 8, 16, 24 or 32)");
        }
    }

    private static byte[] drain(AudioStream stream, String name, long maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[16384];
        int n;
        while ((n = stream.readSamples(chunk)) > 0) {
            out.write(chunk, 0, n);
            if (out.size() > maxBytes) {
                throw new AudioInputException(name, "is longer than " + (int) MAX_SECONDS + " s");
            }
        }
        return out.toByteArray();
    }

    /** Converts interleaved little-endian integer PCM to mono floats by averaging channels. */
    static float[] downmix(byte[] bytes, int channels, int bits) {
        int frames = bytes.length / (channels * (bits / 8));
        float[] out = new float[frames];
        downmix(bytes, frames, channels, bits, false, out);
        return out;
    }

    /**
     * Converts interleaved little-endian PCM to mono floats by averaging channels.
     *
     * @param bytes the PCM, from index 0 (not null, unaffected)
     * @param frames the frames to convert
     * @param channels the channel count (&gt;0)
     * @param bits bits per sample: 8 (unsigned), 16, 24 or 32
     * @param floating true for 32-bit IEEE float samples, false for integers
     * @param out receives {@code frames} mono samples from index 0 (not null, modified)
     */
    static void downmix(byte[] bytes, int frames, int channels, int bits, boolean floating, float[] out) {
        int bytesPerSample = bits / 8;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float scale = 1f / channels;
        for (int f = 0; f < frames; f++) {
            float sum = 0f;
            for (int c = 0; c < channels; c++) {
                int o = (f * channels + c) * bytesPerSample;
                sum += switch (bits) {
                    case 8 -> ((bytes[o] & 0xff) - 128) / 128f;
                    case 16 -> bb.getShort(o) / 32768f;
                    case 24 -> (((bytes[o + 2]) << 16) | ((bytes[o + 1] & 0xff) << 8) | (bytes[o] & 0xff)) / 8388608f;
                    default -> floating ? bb.getFloat(o) : bb.getInt(o) / 2147483648f;
                };
            }
            out[f] = sum * scale;
        }
    }
}
