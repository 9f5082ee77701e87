package dev.parley.audio;

import dev.parley.util.Validate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Parley's own reader for RIFF/WAVE files: PCM 8 (unsigned), 16, 24 and 32-bit integer and 32-bit
 * IEEE float, plain or {@code WAVE_FORMAT_EXTENSIBLE}, 1 to {@link AudioLimits#MAX_CHANNELS} channels,
 * downmixed to mono floats by averaging the channels. Unlike jME's WAV loader it accepts 24-bit,
 * 32-bit and float files, and it checks the header against the file before it reads a sample: the
 * data length a header claims must be in the file (a file cut short, even on a whole frame, fails
 * as truncated), the file must be at most {@link AudioLimits#MAX_FILE_BYTES} and the line at most
 * {@link AudioLimits#MAX_SECONDS} long, so nothing a header claims is ever allocated beyond the file's
 * real size. Every problem is an {@link AudioInputException} naming the file, the field, what was
 * expected and what was found.
 *
 * <p>Reads piece by piece ({@link #read(float[])}, from one thread) so a long line need not be held
 * whole; {@link #read(Path)} reads a whole clip.
 */
public final class WavReader implements PcmReader {

    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_FLOAT = 3;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;
    // Bytes 2..15 of the KSDATAFORMAT_SUBTYPE GUIDs for PCM and float (the first two are the format code).
    private static final byte[] GUID_TAIL = {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38,
        (byte) 0x9B, 0x71};
    // A header with more chunks than this before its audio is refused rather than walked.
    private static final int MAX_CHUNKS = 1024;
    private static final int CHUNK_BYTES = 1 << 16;

    private final String name;
    private final SeekableByteChannel channel;
    private int channels;
    private int bits;
    private int rate;
    private int frameBytes;
    private boolean floating;
    private long dataStart = -1;
    private long frames;
    private long framesRead;
    private byte[] bytes = new byte[0];
    private boolean closed;

    private WavReader(String name, SeekableByteChannel channel) throws IOException {
        this.name = name;
        this.channel = channel;
        parseHeader();
    }

    /**
     * Opens a WAV file and checks its header against the file.
     *
     * @param file the file (not null)
     * @return a reader positioned at the first sample (not null; close it)
     * @throws AudioInputException if the file is missing, unreadable, not a WAV file Parley can read,
     *     truncated, empty, or beyond the limits in {@link AudioLimits}
     */
    public static WavReader open(Path file) {
        Validate.nonNull(file, "file");
        String name = file.getFileName() != null ? file.getFileName().toString() : file.toString();
        SeekableByteChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new AudioInputException(name, "does not exist", e);
        } catch (IOException | SecurityException e) {
            throw new AudioInputException(name, "cannot be read: " + e, e);
        }
        try {
            return new WavReader(name, channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new AudioInputException(name, "cannot be read: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Reads a whole WAV file as a mono clip.
     *
     * @param file the file (not null)
     * @return a new clip named after the file, at its sample rate (not null)
     * @throws AudioInputException as {@link #open(Path)} does, or if a sample is not finite
     */
    public static PcmClip read(Path file) {
        return readAll(open(file));
    }

    /**
     * Reads a whole WAV file from a stream (an asset in a jar, say) as a mono clip. The stream is read
     * into memory, at most {@link AudioLimits#MAX_FILE_BYTES} of it.
     *
     * @param in the file's bytes (not null, read to the end or the limit, not closed)
     * @param name the file's name for messages (not null)
     * @return a new clip at the file's sample rate (not null)
     * @throws AudioInputException as {@link #open(Path)} does, or if the stream cannot be read
     */
    public static PcmClip read(InputStream in, String name) {
        Validate.nonNull(in, "in");
        Validate.nonNull(name, "name");
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) AudioLimits.MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new AudioInputException(name, "cannot be read: " + e, e);
        }
        try {
            return readAll(new WavReader(name, new BytesChannel(bytes)));
        } catch (IOException e) {
            throw new AssertionError("in-memory reads do not fail", e);
        }
    }

    private static PcmClip readAll(WavReader opened) {
        try (WavReader reader = opened) {
            float[] out = new float[(int) reader.frames];
            float[] piece = new float[CHUNK_BYTES];
            int at = 0;
            for (int n; (n = reader.read(piece)) > 0; at += n) {
                System.arraycopy(piece, 0, out, at, n);
            }
            return new PcmClip(reader.name, out, reader.rate);
        }
    }

    /** @return the file's name, for messages (not null) */
    public String name() {
        return name;
    }

    /** @return the channels in the file (downmixed to mono when read) */
    public int channels() {
        return channels;
    }

    /** @return bits per sample in the file: 8, 16, 24 or 32 */
    public int bitsPerSample() {
        return bits;
    }

    /** @return true if the samples are IEEE floats, false if integers */
    public boolean isFloat() {
        return floating;
    }

    /** @return the frames (samples per channel) in the file */
    public long frames() {
        return frames;
    }

    /** @return the duration in seconds */
    public float duration() {
        return frames / (float) rate;
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    /**
     * @param store receives mono samples (not null, modified from index 0)
     * @return the samples written (&gt;0), or -1 at the end of the data
     * @throws AudioInputException if the file cannot be read, shrank, or holds a non-finite sample
     */
    @Override
    public int read(float[] store) {
        Validate.nonNull(store, "store");
        long left = frames - framesRead;
        if (left <= 0 || closed) {
            return -1;
        }
        int n = (int) Math.min(left, Math.min(Math.max(1, store.length), Math.max(1, CHUNK_BYTES / frameBytes)));
        int length = n * frameBytes;
        if (bytes.length < length) {
            bytes = new byte[length];
        }
        ByteBuffer into = ByteBuffer.wrap(bytes, 0, length);
        long at = dataStart + framesRead * frameBytes;
        try {
            channel.position(at);
            while (into.hasRemaining()) {
                if (channel.read(into) < 0) {
                    throw new AudioInputException(name, "is truncated: the file ended while it was read (at byte "
                            + (at + into.position()) + ")");
                }
            }
        } catch (IOException e) {
            throw new AudioInputException(name, "cannot be read: " + e, e);
        }
        AudioDataReader.downmix(bytes, n, channels, bits, floating, store);
        if (floating) {
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(store[i])) {
                    throw new AudioInputException(name, "has a non-finite sample (" + store[i] + ") at frame "
                            + (framesRead + i) + ": expected finite float samples");
                }
            }
        }
        framesRead += n;
        return n;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    private void parseHeader() throws IOException {
        long size = channel.size();
        if (size > AudioLimits.MAX_FILE_BYTES) {
            throw fail("is " + size + " bytes, larger than the limit of " + AudioLimits.MAX_FILE_BYTES
                    + " bytes (AudioLimits.MAX_FILE_BYTES)");
        }
        if (size < 12) {
            throw fail("is not a WAV file: " + size + " bytes is shorter than the 12-byte RIFF header");
        }
        ByteBuffer riff = readAt(0, 12);
        String magic = fourCc(riff, 0);
        if (!magic.equals("RIFF")) {
            String hint = magic.equals("RF64") ? " (RF64 files are not supported)" : "";
            throw fail("is not a WAV file: expected 'RIFF' at byte 0 but got '" + magic + "'" + hint);
        }
        String wave = fourCc(riff, 8);
        if (!wave.equals("WAVE")) {
            throw fail("is not a WAV file: expected 'WAVE' at byte 8 but got '" + wave + "'");
        }
        long dataBytes = -1;
        boolean haveFormat = false;
        long pos = 12;
        int chunks = 0;
        while (pos + 8 <= size && (!haveFormat || dataBytes < 0)) {
            if (++chunks > MAX_CHUNKS) {
                throw fail("has more than " + MAX_CHUNKS + " chunks before its audio");
            }
            ByteBuffer head = readAt(pos, 8);
            String id = fourCc(head, 0);
            long length = head.getInt(4) & 0xFFFF_FFFFL;
            long body = pos + 8;
            long have = size - body;
            if (id.equals("data")) {
                if (length > have) {
                    throw fail("is truncated: header says " + length + " bytes of data, file has " + have);
                }
                dataStart = body;
                dataBytes = length;
            } else if (length > have) {
                throw fail("is truncated: header says chunk '" + id + "' at byte " + pos + " has " + length
                        + " bytes, file has " + have);
            } else if (id.equals("fmt ") && !haveFormat) {
                parseFormat(readAt(body, (int) Math.min(length, 40)), length);
                haveFormat = true;
            }
            pos = body + length + (length & 1);
        }
        if (!haveFormat) {
            throw fail("is not a WAV file Parley can read: no 'fmt ' chunk");
        }
        if (dataBytes < 0) {
            throw fail("has no 'data' chunk");
        }
        if (dataBytes % frameBytes != 0) {
            throw fail("is truncated: header says " + dataBytes + " bytes of data, not a whole number of "
                    + frameBytes + "-byte frames");
        }
        frames = dataBytes / frameBytes;
        if (frames == 0) {
            throw fail("is empty (zero samples)");
        }
        if (frames > (long) (AudioLimits.MAX_SECONDS * rate)) {
            throw fail("is " + (frames / rate) + " s long, longer than the limit of " + (int) AudioLimits.MAX_SECONDS
                    + " s (AudioLimits.MAX_SECONDS)");
        }
    }

    private void parseFormat(ByteBuffer fmt, long length) {
        if (length < 16) {
            throw field("fmt", "a chunk of at least 16 bytes", length + " bytes");
        }
        int format = fmt.getShort(0) & 0xFFFF;
        channels = fmt.getShort(2) & 0xFFFF;
        long sampleRate = fmt.getInt(4) & 0xFFFF_FFFFL;
        int blockAlign = fmt.getShort(12) & 0xFFFF;
        bits = fmt.getShort(14) & 0xFFFF;
        if (format == FORMAT_EXTENSIBLE) {
            if (length < 40) {
                throw field("fmt", "40 bytes for WAVE_FORMAT_EXTENSIBLE", length + " bytes");
            }
            format = fmt.getShort(24) & 0xFFFF;
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (fmt.get(26 + i) != GUID_TAIL[i]) {
                    throw field("fmt.subFormat", "the PCM or IEEE float GUID", "an unknown GUID");
                }
            }
        }
        if (format == FORMAT_PCM) {
            if (bits != 8 && bits != 16 && bits != 24 && bits != 32) {
                throw field("fmt.bitsPerSample", "8, 16, 24 or 32 for PCM", String.valueOf(bits));
            }
        } else if (format == FORMAT_FLOAT) {
            if (bits != 32) {
                throw field("fmt.bitsPerSample", "32 for IEEE float", String.valueOf(bits));
            }
            floating = true;
        } else {
            throw field("fmt.audioFormat", "1 (PCM), 3 (IEEE float) or 0xFFFE (extensible)",
                    "0x" + Integer.toHexString(format) + " (compressed WAVs are not supported)");
        }
        if (channels < 1 || channels > AudioLimits.MAX_CHANNELS) {
            throw field("fmt.channels", "1 to " + AudioLimits.MAX_CHANNELS, String.valueOf(channels));
        }
        if (sampleRate < AudioLimits.MIN_RATE || sampleRate > AudioLimits.MAX_RATE) {
            throw field("fmt.sampleRate", AudioLimits.MIN_RATE + " to " + AudioLimits.MAX_RATE + " Hz",
                    sampleRate + " Hz");
        }
        rate = (int) sampleRate;
        frameBytes = channels * bits / 8;
        if (blockAlign != frameBytes) {
            throw field("fmt.blockAlign", frameBytes + " (channels x bytes per sample)", String.valueOf(blockAlign));
        }
    }

    private ByteBuffer readAt(long pos, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        channel.position(pos);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw fail("is truncated: the file ended at byte " + (pos + buf.position()));
            }
        }
        return buf;
    }

    private AudioInputException fail(String problem) {
        return new AudioInputException(name, problem);
    }

    private AudioInputException field(String field, String expected, String got) {
        return fail("field '" + field + "' expected " + expected + " but got " + got);
    }

    /** Four bytes as text, with anything unprintable escaped so a hostile header cannot garble a log. */
    private static String fourCc(ByteBuffer buf, int at) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int b = buf.get(at + i) & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\'' && b != '\\') {
                s.append((char) b);
            } else {
                s.append(String.format("\\x%02x", b));
            }
        }
        return s.toString();
    }

    private static void closeQuietly(SeekableByteChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Best effort: the reader is done with the file either way.
        }
    }

    /** A read-only channel over bytes in memory. */
    private static final class BytesChannel implements SeekableByteChannel {
        private final byte[] bytes;
        private long position;
        private boolean open = true;

        BytesChannel(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, (int) position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = newPosition;
            return this;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
