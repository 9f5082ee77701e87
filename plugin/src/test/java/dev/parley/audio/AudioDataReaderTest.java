package dev.parley.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.audio.AudioBuffer;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioKey;
import com.jme3.util.BufferUtils;
import dev.parley.testing.TestAssets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads real files through jME's real WAV and OGG loaders. */
class AudioDataReaderTest {

    @TempDir
    Path dir;

    /** Writes a RIFF/WAVE file with 8 or 16-bit integer PCM. */
    static byte[] wav(float[][] channels, int rate, int bits) {
        return WavWriter.encode(channels, rate, bits == 8 ? WavWriter.Encoding.PCM_8 : WavWriter.Encoding.PCM_16,
                false);
    }

    private AudioData load(String file, byte[] bytes) throws IOException {
        Files.write(dir.resolve(file), bytes);
        return load(file);
    }

    private AudioData load(String file) {
        return TestAssets.assetManager(dir).loadAudio(new AudioKey(file, false));
    }

    @Test
    void stereo16BitWavIsDownmixed() throws IOException {
        float[] left = ResamplerTest.sine(440, 22050, 0.5, 0.6);
        float[] right = new float[left.length];
        PcmClip clip = AudioDataReader.read(load("line.wav", wav(new float[][] {left, right}, 22050, 16)), "line.wav");
        assertEquals(22050, clip.sampleRate());
        assertEquals(left.length, clip.samples().length);
        for (int i = 0; i < left.length; i += 97) {
            assertEquals(left[i] / 2, clip.samples()[i], 1e-4, "sample " + i);
        }
    }

    @Test
    void eightBitWav() throws IOException {
        float[] s = ResamplerTest.sine(300, 8000, 0.25, 0.5);
        PcmClip clip = AudioDataReader.read(load("old.wav", wav(new float[][] {s}, 8000, 8)), "old.wav");
        for (int i = 0; i < s.length; i += 13) {
            assertEquals(s[i], clip.samples()[i], 1.0 / 127);
        }
    }

    @Test
    void oggThroughJoggMatchesTheSineAfterResampling() throws Exception {
        float[] s = ResamplerTest.sine(1000, 44100, 1.0, 0.5);
        Files.write(dir.resolve("tone.wav"), wav(new float[][] {s}, 44100, 16));
        Process sox = new ProcessBuilder("sox", dir.resolve("tone.wav").toString(), "-C", "8",
                dir.resolve("tone.ogg").toString())
                .redirectErrorStream(true).start();
        assertTrue(sox.waitFor(60, TimeUnit.SECONDS) && sox.exitValue() == 0,
                "sox must encode the OGG fixture (apt: sox, libsox-fmt-all)");
        PcmClip clip = AudioDataReader.read(load("tone.ogg"), "tone.ogg").resampledTo(16000);
        assertEquals(16000, clip.samples().length, 200);
        // Vorbis shifts phase slightly and is lossy: compare level and frequency, not samples.
        double rms = ResamplerTest.rms(clip.samples(), 1600);
        assertEquals(0.5 / Math.sqrt(2), rms, 0.02, "RMS level");
        int crossings = 0;
        float[] x = clip.samples();
        for (int i = 1600; i < x.length - 1600; i++) {
            if (x[i - 1] < 0 && x[i] >= 0) {
                crossings++;
            }
        }
        double seconds = (x.length - 3200) / 16000.0;
        assertEquals(1000, crossings / seconds, 10, "frequency from zero crossings");
    }

    @Test
    void truncatedPcmIsNamed() {
        AudioBuffer buffer = new AudioBuffer();
        buffer.setupFormat(2, 16, 16000);
        buffer.updateData(BufferUtils.createByteBuffer(new byte[7]));
        AudioInputException e = assertThrows(AudioInputException.class, () -> AudioDataReader.read(buffer, "cut.wav"));
        assertEquals("'cut.wav': is truncated: 7 bytes is not a whole number of 4-byte frames", e.getMessage());
    }

    @Test
    void unsupportedBitDepthIsNamed() {
        AudioBuffer buffer = new AudioBuffer();
        buffer.setupFormat(1, 12, 16000);
        buffer.updateData(BufferUtils.createByteBuffer(new byte[12]));
        AudioInputException e = assertThrows(AudioInputException.class, () -> AudioDataReader.read(buffer, "odd.wav"));
        assertEquals("'odd.wav': unsupported bit depth 12 (expected 8, 16, 24 or 32)", e.getMessage());
    }

    @Test
    void emptyAudioIsNamed() {
        AudioBuffer buffer = new AudioBuffer();
        buffer.setupFormat(1, 16, 16000);
        buffer.updateData(BufferUtils.createByteBuffer(0));
        AudioInputException e = assertThrows(AudioInputException.class, () -> AudioDataReader.read(buffer, "none.wav"));
        assertEquals("'none.wav': is empty (zero samples)", e.getMessage());
    }

    @Test
    void readingDoesNotDisturbTheBuffer() throws IOException {
        float[] s = ResamplerTest.sine(440, 16000, 0.1, 0.3);
        AudioBuffer buffer = (AudioBuffer) load("keep.wav", wav(new float[][] {s}, 16000, 16));
        int before = buffer.getData().position();
        AudioDataReader.read(buffer, "keep.wav");
        assertEquals(before, buffer.getData().position());
    }
}
