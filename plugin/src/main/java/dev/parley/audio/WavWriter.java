package dev.parley.audio;

import dev.parley.util.Validate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes RIFF/WAVE files in every encoding {@link WavReader} reads: for tools that export lines, and
 * for tests that need real files of each kind.
 */
public final class WavWriter {

    /** A WAV sample encoding. */
    public enum Encoding {
        /** 8-bit unsigned integer PCM. */
        PCM_8(8, false),
        /** 16-bit signed integer PCM. */
        PCM_16(16, false),
        /** 24-bit signed integer PCM. */
        PCM_24(24, false),
        /** 32-bit signed integer PCM. */
        PCM_32(32, false),
        /** 32-bit IEEE float. */
        FLOAT_32(32, true);

        private final int bits;
        private final boolean floating;

        Encoding(int bits, boolean floating) {
            this.bits = bits;
            this.floating = floating;
        }

        /** @return bits per sample */
        public int bits() {
            return bits;
        }

        /** @return true for IEEE float samples */
        public boolean isFloat() {
            return floating;
        }
    }

    private WavWriter() {
    }

    /**
     * Encodes PCM as a WAV file's bytes.
     *
     * @param channels one array of samples in [-1, 1] per channel, all the same length (not null, unaffected)
     * @param sampleRate samples per second (&gt;0)
     * @param encoding the sample encoding (not null)
     * @param extensible true to write a {@code WAVE_FORMAT_EXTENSIBLE} header, false for a plain one
     * @return the file's bytes (not null)
     */
    public static byte[] encode(float[][] channels, int sampleRate, Encoding encoding, boolean extensible) {
        Validate.nonNull(channels, "channels");
        Validate.nonNull(encoding, "encoding");
        Validate.inRange(channels.length, 1, 65535, "channels.length");
        Validate.inRange(sampleRate, 1, Integer.MAX_VALUE, "sampleRate");
        int frames = Validate.nonNull(channels[0], "channels[0]").length;
        for (int c = 0; c < channels.length; c++) {
            Validate.length(Validate.nonNull(channels[c], "channels[" + c + "]"), frames, "channels[" + c + "]");
        }
        int bytesPerSample = encoding.bits() / 8;
        int block = channels.length * bytesPerSample;
        long data = (long) frames * block;
        int fmtLength = extensible ? 40 : 16;
        long total = 12 + 8 + fmtLength + 8 + data + (data & 1);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a WAV of " + total + " bytes is too large to encode in memory");
        }
        int code = encoding.isFloat() ? 3 : 1;
        ByteBuffer bb = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(ascii("RIFF")).putInt((int) (total - 8)).put(ascii("WAVE"));
        bb.put(ascii("fmt ")).putInt(fmtLength).putShort((short) (extensible ? 0xFFFE : code))
                .putShort((short) channels.length).putInt(sampleRate).putInt(sampleRate * block).putShort((short) block)
                .putShort((short) encoding.bits());
        if (extensible) {
            bb.putShort((short) 22).putShort((short) encoding.bits()).putInt(0).putShort((short) code)
                    .put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        bb.put(ascii("data")).putInt((int) data);
        for (int f = 0; f < frames; f++) {
            for (float[] ch : channels) {
                double v = Math.max(-1.0, Math.min(1.0, ch[f]));
                switch (encoding) {
                    case PCM_8 -> bb.put((byte) (Math.round(v * 127) + 128));
                    case PCM_16 -> bb.putShort((short) Math.round(v * 32767));
                    case PCM_24 -> {
                        int s = (int) Math.round(v * 8388607);
                        bb.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
                    }
                    case PCM_32 -> bb.putInt((int) Math.round(v * 2147483647.0));
                    case FLOAT_32 -> bb.putFloat(ch[f]);
                    default -> throw new AssertionError(encoding);
                }
            }
        }
        return bb.array();
    }

    /**
     * Writes a WAV file (plain header).
     *
     * @param file where to write (not null; replaced if it exists)
     * @param channels one array of samples per channel, all the same length (not null, unaffected)
     * @param sampleRate samples per second (&gt;0)
     * @param encoding the sample encoding (not null)
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, float[][] channels, int sampleRate, Encoding encoding) throws IOException {
        Validate.nonNull(file, "file");
        Files.write(file, encode(channels, sampleRate, encoding, false));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
