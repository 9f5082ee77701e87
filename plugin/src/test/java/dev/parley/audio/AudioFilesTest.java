package dev.parley.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.asset.AssetManager;
import dev.parley.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 13: a corrupt OGG gave jME's opaque "An exception has occurred while loading asset",
 * a truncated one a raw NullPointerException. {@link AudioFiles}, the check a game may run before it
 * builds an AudioNode, names the file and the problem instead, and reads WAVs jME cannot.
 */
class AudioFilesTest {

    @TempDir
    Path dir;

    private AssetManager assets() {
        return TestAssets.assetManager(dir);
    }

    private AudioInputException failure(String path) {
        // jME logs a WARNING for a missing asset before Parley reports it: keep the test output clean.
        Logger jme = Logger.getLogger("com.jme3.asset");
        Level old = jme.getLevel();
        jme.setLevel(Level.SEVERE);
        try {
            return assertThrows(AudioInputException.class, () -> AudioFiles.check(assets(), path));
        } finally {
            jme.setLevel(old);
        }
    }

    @Test
    void corruptAndTruncatedOggNameTheFile() throws IOException {
        byte[] ogg = Files.readAllBytes(TestAssets.root().resolve("assets/Sounds/Dialogue/thanks.ogg"));
        assertTrue(AudioFiles.check(assets(), write("whole.ogg", ogg)).startsWith("whole.ogg: "));
        byte[] junk = new byte[3000];
        new Random(7).nextBytes(junk);
        System.arraycopy("OggS".getBytes(), 0, junk, 0, 4);
        String corrupt = failure(write("corrupt.ogg", junk)).getMessage();
        assertEquals("'corrupt.ogg': is not readable audio (corrupt or truncated?): jME's loader failed with "
                + "EndOfOggStreamException", corrupt);
        String cut = failure(write("cut.ogg", Arrays.copyOf(ogg, ogg.length / 3))).getMessage();
        assertEquals("'cut.ogg': is not readable audio (corrupt or truncated?): jME's loader failed with "
                + "NullPointerException", cut);
        assertEquals("'gone.ogg': does not exist (no asset locator finds it)", failure("gone.ogg").getMessage());
    }

    @Test
    void wavAssetsGoThroughParleysReader() throws IOException {
        float[] tone = ResamplerTest.sine(440, 48_000, 0.5, 0.5);
        byte[] wav = WavWriter.encode(new float[][] {tone, tone}, 48_000, WavWriter.Encoding.PCM_24, false);
        assertEquals("vo.wav: 0.50 s at 48000 Hz", AudioFiles.check(assets(), write("vo.wav", wav)));
        assertEquals("'cut.wav': is truncated: header says 144000 bytes of data, file has 72000",
                failure(write("cut.wav", Arrays.copyOf(wav, 44 + 72_000))).getMessage());
        assertEquals("'gone.wav': does not exist (no asset locator finds it)", failure("gone.wav").getMessage());
    }

    private String write(String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
        return name;
    }
}
