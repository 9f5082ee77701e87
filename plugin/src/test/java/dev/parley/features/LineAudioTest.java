package dev.parley.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.asset.AssetManager;
import com.jme3.audio.AudioKey;
import com.jme3.audio.AudioStream;
import dev.parley.audio.AudioDataReader;
import dev.parley.audio.AudioStreamReader;
import dev.parley.audio.CapturedPcmReader;
import dev.parley.audio.PcmClip;
import dev.parley.audio.Resampler;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cutting lines into encoder windows: clips, chunked streams and decoders give the same windows. */
class LineAudioTest {

    static final int RATE = 16000;
    static final int SPF = 640;
    static final int WINDOW = 64000;

    @TempDir
    Path dir;

    /** All windows of a line, concatenated, with the valid sample count of each. */
    static float[] windows(LineAudio audio) {
        float[] all = new float[0];
        float[] w = new float[WINDOW];
        while (!audio.isExhausted()) {
            int frames = Math.min(100, audio.framesReady(100));
            audio.read(w, frames);
            int at = all.length;
            all = Arrays.copyOf(all, at + frames * SPF);
            System.arraycopy(w, 0, all, at, frames * SPF);
        }
        return all;
    }

    @Test
    void clipWindowsEqualTheWholeClipResampled() {
        float[] pcm = TestVoice.pcm(9.1, 44100);
        float[] whole = new Resampler(44100, RATE).process(pcm);
        float[] cut = windows(LineAudio.clip("clip", pcm, 44100, RATE, SPF));
        assertEquals((whole.length + SPF - 1) / SPF * SPF, cut.length, "frames cover the audio, the last one padded");
        assertArrayEquals(whole, Arrays.copyOf(cut, whole.length));
        for (int i = whole.length; i < cut.length; i++) {
            assertEquals(0f, cut[i], "zero padding past the end");
        }
    }

    @Test
    void aStreamWrittenInOddChunksGivesTheSameWindowsAsTheClip() {
        float[] pcm = TestVoice.pcm(6.3, 22050);
        float[] expected = windows(LineAudio.clip("clip", pcm.clone(), 22050, RATE, SPF));
        LineAudio stream = LineAudio.stream("stream", 22050, RATE, SPF);
        float[] got = new float[0];
        float[] w = new float[WINDOW];
        int at = 0;
        int chunk = 1;
        while (!stream.isExhausted()) {
            if (at < pcm.length) {
                int n = Math.min(chunk, pcm.length - at);
                stream.write(pcm, at, n);
                at += n;
                chunk = chunk * 3 % 7919 + 1;
            } else {
                stream.finish();
            }
            int ready = stream.framesReady(100);
            if (ready >= 25 || stream.isComplete() && ready > 0) {
                int frames = Math.min(100, ready);
                stream.read(w, frames);
                int o = got.length;
                got = Arrays.copyOf(got, o + frames * SPF);
                System.arraycopy(w, 0, got, o, frames * SPF);
            }
        }
        assertArrayEquals(expected, got);
        assertTrue(stream.bufferCapacity() < 3 * 22050 * 4, "the stream dropped what it had cut: "
                + stream.bufferCapacity());
    }

    @Test
    void aBufferedWavIsDecodedPieceByPiece() {
        float[] pcm = TestVoice.pcm(2.5, 16000);
        ByteBuffer bb = ByteBuffer.allocate(pcm.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : pcm) {
            short s = (short) Math.round(v * 32767);
            bb.putShort(s).putShort(s);
        }
        var captured = new dev.parley.audio.CapturedPcm("stereo.wav", bb.array(), 2, 16, 16000);
        float[] viaReader = windows(LineAudio.pull("stereo.wav", new CapturedPcmReader(captured), RATE, SPF));
        float[] viaClip = windows(LineAudio.clip("stereo.wav", captured.decode().samples(), 16000, RATE, SPF));
        assertArrayEquals(viaClip, viaReader);
    }

    @Test
    void anOggReadAsAStreamMatchesTheBufferedOgg() throws Exception {
        float[] pcm = TestVoice.pcm(5.0, 44100);
        ByteBuffer bb = ByteBuffer.allocate(44 + 2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put("RIFF".getBytes()).putInt(36 + 2 * pcm.length).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(44100).putInt(88200).putShort((short) 2)
                .putShort((short) 16)
                .put("data".getBytes()).putInt(2 * pcm.length);
        for (float v : pcm) {
            bb.putShort((short) Math.round(v * 32767));
        }
        Files.write(dir.resolve("line.wav"), bb.array());
        Process sox = new ProcessBuilder("sox", dir.resolve("line.wav").toString(), "-C", "6",
                dir.resolve("line.ogg").toString())
                .redirectErrorStream(true).start();
        assertTrue(sox.waitFor(60, TimeUnit.SECONDS) && sox.exitValue() == 0, "sox must encode the OGG fixture");
        AssetManager am = TestAssets.assetManager(dir);
        PcmClip buffered = AudioDataReader.read(am.loadAudio(new AudioKey("line.ogg", false)), "line.ogg");
        AudioStream stream = (AudioStream) am.loadAudio(new AudioKey("line.ogg", true, false));
        float[] streamed = windows(LineAudio.pull("line.ogg", new AudioStreamReader(stream, "line.ogg"), RATE, SPF));
        float[] expected = windows(LineAudio.clip("line.ogg", buffered.samples(), buffered.sampleRate(), RATE, SPF));
        // jME's streaming Vorbis decoder may hand out the last page's padding: at most one frame more.
        assertEquals(expected.length, streamed.length, SPF);
        double maxDiff = 0;
        for (int i = 0; i < Math.min(expected.length, streamed.length) - 2 * SPF; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - streamed[i]));
        }
        assertTrue(maxDiff < 1e-6, "streamed and buffered OGG differ by " + maxDiff);
    }
}
