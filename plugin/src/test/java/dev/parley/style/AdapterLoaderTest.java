package dev.parley.style;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.asset.AssetManager;
import dev.parley.testing.AdapterFiles;
import dev.parley.testing.TestAssets;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter file written by Python ({@code python3 -m parley.model.adapter}, the tiny config, ranks 1 and 2)
 * read back, and bad files refused naming file and field.
 */
class AdapterLoaderTest {

    private static final String FIXTURE = "/adapters/tiny.adapter";
    private static final int ROW_WIDTH = 960;
    private static final String HASH = "ab".repeat(32);

    @TempDir
    Path dir;

    private static byte[] fixture() throws IOException {
        try (InputStream in = AdapterLoaderTest.class.getResourceAsStream(FIXTURE)) {
            return in.readAllBytes();
        }
    }

    private static AssetFormatException refused(byte[] bytes) {
        return assertThrows(AssetFormatException.class,
                () -> AdapterLoader.read(new ByteArrayInputStream(bytes), "npc.adapter"));
    }

    @Test
    void readsTheFilePythonWritesThroughTheAssetManager() throws IOException {
        Files.write(dir.resolve("Npc.adapter"), fixture());
        AssetManager am = TestAssets.assetManager(dir);
        AdapterKey.register(am);
        Adapter a = am.loadAsset(new AdapterKey("Npc.adapter"));
        assertEquals("tiny", a.packId());
        assertEquals("0.0.0-untrained", a.packVersion());
        assertArrayEquals(new int[] {1, 2}, a.ranks());
        assertEquals(3, a.totalRank());
        assertEquals(ROW_WIDTH, a.rowWidth());
        float[] f = a.factors();
        assertEquals(3 * ROW_WIDTH, f.length);
        for (int i = 0; i < f.length; i++) {
            assertEquals(((i % 17) - 8) / 8f, f[i], 0f, "factor " + i);
        }
        assertEquals(16, a.style().length);
        assertEquals(15 / 16f, a.style()[15], 0f);
        a.checkPack("tiny", "0.0.0-untrained", HASH);
    }

    @Test
    void anAdapterForAnotherPackIsRefusedAtCheck() throws IOException {
        Adapter a = AdapterLoader.read(new ByteArrayInputStream(fixture()), "npc.adapter");
        AssetFormatException e = assertThrows(AssetFormatException.class,
                () -> a.checkPack("tiny", "0.0.0-untrained", "cd".repeat(32)));
        assertEquals("npc.adapter: field 'pack.denoiserSha256' expected '" + "cd".repeat(32) + "' but got '" + HASH
                + "': refit the adapter for this pack (python3 -m parley adapt)", e.getMessage());
        e = assertThrows(AssetFormatException.class, () -> a.checkPack("parley-base-v1", "1.5.0", HASH));
        assertEquals("pack.id", e.getField());
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        byte[] file = fixture();
        assertEquals("npc.adapter: field 'factor data' expected 11520 bytes but got 11420 (truncated file)",
                refused(Arrays.copyOf(file, file.length - 100)).getMessage());
        assertEquals("header", refused(Arrays.copyOf(file, 200)).getField());
        assertEquals("header length", refused(Arrays.copyOf(file, 10)).getField());
    }

    @Test
    void nanValuesAreRefused() throws IOException {
        assertEquals("npc.adapter: field 'factor data' expected finite values but got 1 NaN or infinite",
                refused(AdapterFiles.withNaN(fixture(), 7)).getMessage());
    }

    @Test
    void alteredDataIsRefusedByItsHash() throws IOException {
        byte[] file = fixture();
        file[file.length - 1] ^= 1;
        assertEquals("factors.sha256", refused(file).getField());
    }

    @Test
    void wrongRanksAreRefused() throws IOException {
        AssetFormatException e = refused(AdapterFiles.withHeader(fixture(), h -> h.putArray("ranks").add(2).add(2)));
        assertEquals("npc.adapter: field 'factors' expected float32 [4, 960] (the sum of the ranks by rowWidth)"
                + " but got float32 [3, 960]", e.getMessage());
        assertEquals("ranks[1]",
                refused(AdapterFiles.withHeader(fixture(), h -> h.putArray("ranks").add(1).add(-2))).getField());
        assertEquals("ranks", refused(AdapterFiles.withHeader(fixture(), h -> h.putArray("ranks"))).getField());
    }

    @Test
    void otherFilesAndVersionsAreRefused() throws IOException {
        assertEquals("magic", refused("RIFF....WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).getField());
        assertEquals("version", refused(AdapterFiles.withHeader(fixture(), h -> h.put("version", 2))).getField());
        assertEquals("targets[1].offset",
                refused(AdapterFiles.withHeader(fixture(),
                        h -> ((ObjectNode) h.get("targets").get(1)).put("offset", 5)))
                        .getField());
    }
}
