package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.audio.PcmClip;
import dev.parley.audio.WavWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bake} on voice-over WAVs, from issue 15's reproductions: 24-bit, 32-bit integer and float
 * WAVs bake (item 4); a header claiming about 2 GB (item 3) and a file cut on a whole frame (item 8)
 * fail with messages naming the file, as does a truncated OGG (item 13), and the batch goes on.
 */
class BakeAudioTest {

    @TempDir
    Path tmp;

    @Test
    void voiceOverWavsBakeAndDamagedOnesAreNamedWhileTheBatchGoesOn() throws IOException {
        PcmClip voice = Bake.readAudio(BakeTest.dialogue("thanks.ogg"));
        float[] mono = Arrays.copyOf(voice.samples(), voice.sampleRate() * 2);
        int rate = voice.sampleRate();
        Path lines = Files.createDirectories(tmp.resolve("lines"));
        Files.write(lines.resolve("a_24bit.wav"),
                WavWriter.encode(new float[][] {mono, mono}, rate, WavWriter.Encoding.PCM_24, false));
        Files.write(lines.resolve("b_32bit.wav"),
                WavWriter.encode(new float[][] {mono}, rate, WavWriter.Encoding.PCM_32, false));
        Files.write(lines.resolve("c_float.wav"),
                WavWriter.encode(new float[][] {mono}, rate, WavWriter.Encoding.FLOAT_32, true));
        byte[] small = WavWriter.encode(new float[][] {Arrays.copyOf(mono, 1000)}, rate, WavWriter.Encoding.PCM_16,
                false);
        ByteBuffer.wrap(small).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0x7FFF_FFF0);
        Files.write(lines.resolve("d_huge.wav"), small);
        byte[] whole = WavWriter.encode(new float[][] {mono}, rate, WavWriter.Encoding.PCM_16, false);
        // half a second gone
        Files.write(lines.resolve("e_cut.wav"), Arrays.copyOf(whole, whole.length - 2 * rate / 2));
        byte[] ogg = Files.readAllBytes(BakeTest.dialogue("thanks.ogg"));
        Files.write(lines.resolve("f_cut.ogg"), Arrays.copyOf(ogg, ogg.length / 3));

        Path out = tmp.resolve("clips");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int rc = new ParleyTool(new PrintStream(o, true), new PrintStream(new ByteArrayOutputStream(), true))
                .run("bake",
                lines.toString(), "--style", Roots.assets().resolve("Styles/calm.style.json").toString(), "--out",
                out.toString(),
                "--steps", "2");
        String summary = o.toString();
        assertEquals(1, rc, summary);
        assertTrue(summary.contains("baked 3 of 6"), summary);
        assertTrue(summary.contains("failed: d_huge.wav: is truncated: header says 2147483632 bytes of data, "
                + "file has 2000"), summary);
        int data = 2 * rate * 2;
        assertTrue(summary.contains("failed: e_cut.wav: is truncated: header says " + data
                + " bytes of data, file has " + (data - rate)), summary);
        // Item 13: jME's raw NullPointerException for a truncated OGG, named by Parley's loading path.
        assertTrue(summary.contains("failed: f_cut.ogg: is not readable audio (corrupt or truncated?): jME's loader "
                + "failed "
                + "with NullPointerException"), summary);
        for (String name : new String[] {"a_24bit", "b_32bit", "c_float"}) {
            assertTrue(Files.size(out.resolve(name + ".j3o")) > 1000, name);
        }
    }
}
