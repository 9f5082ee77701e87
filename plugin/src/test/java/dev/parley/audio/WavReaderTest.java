package dev.parley.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parley's own WAV reader on real files written by {@link WavWriter} and then damaged the way the
 * hostile-input probe (issue 15) damaged them.
 */
class WavReaderTest {

    private static final int RATE = 22_050;

    @TempDir
    Path dir;

    private static float[][] tone(int channels, int frames) {
        float[][] pcm = new float[channels][frames];
        for (int c = 0; c < channels; c++) {
            pcm[c] = ResamplerTest.sine(220 * (c + 1), RATE, frames / (double) RATE, 0.9 / (c + 1));
        }
        return pcm;
    }

    private static float[] mean(float[][] pcm) {
        float[] out = new float[pcm[0].length];
        for (float[] ch : pcm) {
            for (int f = 0; f < out.length; f++) {
                out[f] += ch[f] / pcm.length;
            }
        }
        return out;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] patchInt(byte[] wav, int at, int value) {
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return wav;
    }

    private static byte[] patchShort(byte[] wav, int at, int value) {
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
        return wav;
    }

    private String failure(String name, byte[] bytes) throws IOException {
        Path file = write(name, bytes);
        return assertThrows(AudioInputException.class, () -> WavReader.read(file)).getMessage();
    }

    /** Issue 15 item 4: 24-bit, 32-bit integer and float WAVs (plain and extensible), 1 to 8 channels. */
    @Test
    void everyEncodingAndLayoutDownmixesToTheChannelMean() throws IOException {
        for (WavWriter.Encoding e : WavWriter.Encoding.values()) {
            for (int channels : new int[] {1, 2, 3, 6, 8}) {
                for (boolean extensible : new boolean[] {false, true}) {
                    float[][] pcm = tone(channels, 2205);
                    String name = e + "-" + channels + (extensible ? "-ext" : "") + ".wav";
                    PcmClip clip = WavReader.read(write(name, WavWriter.encode(pcm, RATE, e, extensible)));
                    float[] want = mean(pcm);
                    // 8-bit: half a step plus the writer scaling by 127 and the reader by 128.
                    double tolerance = e == WavWriter.Encoding.PCM_8 ? 1.0 / 64 : 1e-4;
                    assertEquals(RATE, clip.sampleRate(), name);
                    assertEquals(want.length, clip.samples().length, name);
                    for (int f = 0; f < want.length; f++) {
                        assertEquals(want[f], clip.samples()[f], tolerance, name + " frame " + f);
                    }
                }
            }
        }
    }

    @Test
    void readingPieceByPieceGivesTheWholeClip() throws IOException {
        Path file = write("long.wav", WavWriter.encode(tone(2, 70_001), RATE, WavWriter.Encoding.PCM_24, false));
        float[] whole = WavReader.read(file).samples();
        float[] pieces = new float[whole.length];
        try (WavReader r = WavReader.open(file)) {
            assertEquals(24, r.bitsPerSample());
            assertEquals(2, r.channels());
            assertEquals(70_001, r.frames());
            float[] store = new float[777];
            int at = 0;
            for (int n; (n = r.read(store)) > 0; at += n) {
                System.arraycopy(store, 0, pieces, at, n);
            }
            assertEquals(whole.length, at);
            assertEquals(-1, r.read(store));
        }
        assertArrayEquals(whole, pieces);
    }

    @Test
    void chunksBeforeTheAudioAndOddPaddingAreSkipped() throws IOException {
        byte[] plain = WavWriter.encode(tone(1, 500), RATE, WavWriter.Encoding.PCM_16, false);
        // RIFF header, an odd-sized LIST chunk with its pad byte, then fmt and data as written.
        ByteBuffer bb = ByteBuffer.allocate(plain.length + 8 + 5 + 1).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(plain, 0, 12).put("LIST".getBytes()).putInt(5).put(new byte[] {1, 2, 3, 4, 5, 0});
        bb.put(plain, 12, plain.length - 12);
        float[] expected = WavReader.read(write("plain.wav", plain)).samples();
        assertArrayEquals(expected, WavReader.read(write("list.wav", bb.array())).samples());
    }

    /** Issue 15 item 8: a WAV cut on a whole frame is caught by the header's data length. */
    @Test
    void cutOnAWholeFrameIsTruncatedByTheHeadersDataLength() throws IOException {
        byte[] wav = WavWriter.encode(tone(2, 1000), RATE, WavWriter.Encoding.PCM_16, false);
        byte[] cut = Arrays.copyOf(wav, wav.length - 400 * 4); // 400 whole stereo frames gone
        assertEquals("'cut.wav': is truncated: header says 4000 bytes of data, file has 2400", failure("cut.wav", cut));
    }

    /** Issue 15 item 3: a header claiming about 2 GB is refused before anything is allocated. */
    @Test
    void aHeaderClaimingTwoGigabytesIsRefusedWithoutAllocatingIt() throws IOException {
        byte[] wav = patchInt(WavWriter.encode(tone(1, 100), RATE, WavWriter.Encoding.PCM_16, false), 40, 0x7FFF_FFF0);
        assertEquals("'huge.wav': is truncated: header says 2147483632 bytes of data, file has 200",
                failure("huge.wav", wav));
        byte[] maxed = patchInt(wav.clone(), 40, -1); // 0xFFFFFFFF, a streaming writer's placeholder
        assertEquals("'maxed.wav': is truncated: header says 4294967295 bytes of data, file has 200",
                failure("maxed.wav", maxed));
    }

    @Test
    void filesBeyondTheSizeAndTimeLimitsAreRefused() throws IOException {
        Path big = dir.resolve("big.wav");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(WavWriter.encode(tone(1, 10), RATE, WavWriter.Encoding.PCM_16, false));
            f.setLength(AudioLimits.MAX_FILE_BYTES + 1); // sparse: no disk is written
        }
        AudioInputException e = assertThrows(AudioInputException.class, () -> WavReader.read(big));
        assertEquals("'big.wav': is 268435457 bytes, larger than the limit of 268435456 bytes "
                + "(AudioLimits.MAX_FILE_BYTES)",
                e.getMessage());
        // 16 minutes at 4 kHz 8-bit mono: 3.8 MB, within the size limit but over the time limit.
        int frames = 16 * 60 * 4000;
        byte[] head = WavWriter.encode(new float[][] {new float[1]}, 4000, WavWriter.Encoding.PCM_8, false);
        byte[] longLine = Arrays.copyOf(head, 44 + frames);
        patchInt(longLine, 40, frames);
        assertEquals("'long.wav': is 960 s long, longer than the limit of 900 s (AudioLimits.MAX_SECONDS)",
                failure("long.wav", longLine));
    }

    @Test
    void unsupportedHeadersNameTheFieldTheExpectedAndTheActualValue() throws IOException {
        byte[] ok = WavWriter.encode(tone(1, 100), RATE, WavWriter.Encoding.PCM_16, false);
        assertEquals("'bits.wav': field 'fmt.bitsPerSample' expected 8, 16, 24 or 32 for PCM but got 12",
                failure("bits.wav", patchShort(ok.clone(), 34, 12)));
        assertEquals("'chans.wav': field 'fmt.channels' expected 1 to 8 but got 9",
                failure("chans.wav", patchShort(ok.clone(), 22, 9)));
        assertEquals("'rate.wav': field 'fmt.sampleRate' expected 4000 to 192000 Hz but got 999998 Hz",
                failure("rate.wav", patchInt(ok.clone(), 24, 999_998)));
        assertEquals("'adpcm.wav': field 'fmt.audioFormat' expected 1 (PCM), 3 (IEEE float) or 0xFFFE (extensible) "
                + "but got 0x2"
                + " (compressed WAVs are not supported)", failure("adpcm.wav", patchShort(ok.clone(), 20, 2)));
        assertEquals("'align.wav': field 'fmt.blockAlign' expected 2 (channels x bytes per sample) but got 4",
                failure("align.wav", patchShort(ok.clone(), 32, 4)));
        assertEquals("'ogg.wav': is not a WAV file: expected 'RIFF' at byte 0 but got 'OggS'",
                failure("ogg.wav", "OggS and then some bytes".getBytes()));
        assertEquals("'empty.wav': is empty (zero samples)",
                failure("empty.wav", WavWriter.encode(new float[][] {new float[0]}, RATE, WavWriter.Encoding.PCM_16,
                        false)));
        assertEquals("'none.wav': does not exist",
                assertThrows(AudioInputException.class, () -> WavReader.read(dir.resolve("none.wav"))).getMessage());
    }

    @Test
    void nonFiniteFloatSamplesAreRefused() throws IOException {
        float[] pcm = new float[50];
        pcm[17] = Float.NaN;
        assertEquals("'nan.wav': has a non-finite sample (NaN) at frame 17: expected finite float samples",
                failure("nan.wav", WavWriter.encode(new float[][] {pcm}, RATE, WavWriter.Encoding.FLOAT_32, false)));
    }

    @Test
    void openFilesAreClosedAfterAFailure() throws IOException {
        Path file =
                write("cut.wav", Arrays.copyOf(WavWriter.encode(tone(1, 100), RATE, WavWriter.Encoding.PCM_16, false),
                100));
        assertThrows(AudioInputException.class, () -> WavReader.read(file));
        Files.delete(file); // would fail on Windows with an open handle; checks the path is usable here too
        assertTrue(Files.notExists(file));
    }
}
