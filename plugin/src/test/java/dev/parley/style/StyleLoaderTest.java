package dev.parley.style;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.asset.AssetLoadException;
import com.jme3.asset.AssetManager;
import dev.parley.testing.TestAssets;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StyleLoaderTest {

    @TempDir
    Path dir;

    private AssetManager assets() {
        AssetManager am = TestAssets.assetManager(dir);
        StyleKey.register(am);
        return am;
    }

    private void write(String name, String json) throws IOException {
        Files.writeString(dir.resolve(name), json);
    }

    private Throwable loadFailure(String json) throws IOException {
        write("bad.style.json", json);
        Throwable t = assertThrows(RuntimeException.class, () -> assets().loadAsset(new StyleKey("bad.style.json")));
        while (!(t instanceof AssetFormatException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Test
    void roundTripThroughTheAssetManager() throws IOException {
        Style style = new Style("calm.style.json", "Calm", "parley-base-v1", new float[] {0.5f, -0.25f, 1e-3f});
        try (OutputStream out = Files.newOutputStream(dir.resolve("calm.style.json"))) {
            StyleLoader.write(style, out);
        }
        Style loaded = assets().loadAsset(new StyleKey("calm.style.json"));
        assertEquals("Calm", loaded.displayName());
        assertEquals("parley-base-v1", loaded.packId());
        assertArrayEquals(style.embedding(), loaded.embedding());
        loaded.checkCompatible("parley-base-v1", 3);
    }

    @Test
    void otherJsonFilesAreNotClaimed() throws IOException {
        write("level.json", "{\"enemies\": 3}");
        AssetManager am = assets();
        // Only StyleKey routes to the style loader; a plain .json asset has no loader at all.
        assertThrows(AssetLoadException.class, () -> am.loadAsset("level.json"));
    }

    @Test
    void dimensionMismatchWithTheFile() throws IOException {
        Throwable e =
                loadFailure("{\"format\":\"parley-style\",\"version\":1,\"displayName\":\"X\",\"pack\":\"p\","
                + "\"dimension\":4,\"embedding\":[1,2,3]}");
        assertEquals("bad.style.json: field 'embedding' expected 4 entries but got 3", e.getMessage());
    }

    @Test
    void nonFiniteValue() throws IOException {
        Throwable e =
                loadFailure("{\"format\":\"parley-style\",\"version\":1,\"displayName\":\"X\",\"pack\":\"p\","
                + "\"dimension\":2,\"embedding\":[1,\"NaN\"]}");
        assertEquals("bad.style.json: field 'embedding[1]' expected a finite number but got \"NaN\"", e.getMessage());
    }

    /**
     * Fuzz finding (FuzzTest, seed 2): 1e308 passed the double check, became Infinity as a float, and Style threw IAE.
     */
    @Test
    void valueBeyondFloatRangeIsAnAssetErrorNotAnIllegalArgument() throws IOException {
        Throwable e = loadFailure("{\"format\":\"parley-style\",\"version\":1,\"displayName\":\"X\",\"pack\":\"p\","
                + "\"dimension\":3,\"embedding\":[0.5,-1.1e308,2.0]}");
        assertEquals("bad.style.json: field 'embedding[1]' expected a number within float range (|x| < 3.4e38) but "
                + "got -1.1E308",
                e.getMessage());
    }

    @Test
    void missingPack() throws IOException {
        Throwable e =
                loadFailure("{\"format\":\"parley-style\",\"version\":1,\"displayName\":\"X\",\"dimension\":1,"
                + "\"embedding\":[1]}");
        assertEquals("bad.style.json: field 'pack' is missing", e.getMessage());
    }

    @Test
    void wrongFormat() throws IOException {
        Throwable e = loadFailure("{\"format\":\"parley-head-spec\",\"version\":1}");
        assertTrue(e.getMessage().contains("expected 'parley-style' but got 'parley-head-spec'"), e.getMessage());
    }

    @Test
    void incompatibleWithThePack() {
        Style s = new Style("guard.style.json", "Guard", "parley-base-v1", new float[64]);
        AssetFormatException dim = assertThrows(AssetFormatException.class,
                () -> s.checkCompatible("parley-base-v1", 128));
        assertEquals("guard.style.json: field 'dimension' is 64 but pack 'parley-base-v1' expects 128",
                dim.getMessage());
        AssetFormatException pack = assertThrows(AssetFormatException.class,
                () -> s.checkCompatible("parley-large-v1", 64));
        assertTrue(pack.getMessage().contains("is 'parley-base-v1' but the loaded pack is 'parley-large-v1'"),
                pack.getMessage());
    }

    /**
     * Issue 15 item 12: a style file larger than {@link StyleLoader#MAX_BYTES} (here a well-formed 3 MB one
     * that used to load, slowly and on the render thread) is refused after reading that many bytes, before
     * parsing, through the asset manager and through {@code read}.
     */
    @Test
    void aStyleFileOverTheSizeLimitIsRefusedBeforeParsing() throws IOException {
        int dimension = 300_000;
        StringBuilder json = new StringBuilder("{\"format\":\"parley-style\",\"version\":1,\"displayName\":\"Huge\","
                + "\"pack\":\"parley-base-v1\",\"dimension\":" + dimension + ",\"embedding\":[");
        for (int i = 0; i < dimension; i++) {
            json.append(i > 0 ? ",0.001" : "0.001");
        }
        write("huge.style.json", json.append("]}").toString());
        assertTrue(Files.size(dir.resolve("huge.style.json")) > 3 * StyleLoader.MAX_BYTES / 2);
        String expected = "huge.style.json is larger than 1048576 bytes, the limit for style files "
                + "(a 128-value style is about 4 KB): not parsed";

        Throwable t = assertThrows(RuntimeException.class, () -> assets().loadAsset(new StyleKey("huge.style.json")));
        while (!(t instanceof AssetFormatException) && t.getCause() != null) {
            t = t.getCause();
        }
        assertEquals(expected, t.getMessage());

        long[] read = {0};
        try (InputStream in = new FilterInputStream(Files.newInputStream(dir.resolve("huge.style.json"))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                read[0] += Math.max(n, 0);
                return n;
            }
        }) {
            AssetFormatException e = assertThrows(AssetFormatException.class, () -> StyleLoader.read(in,
                    "huge.style.json"));
            assertEquals(expected, e.getMessage());
        }
        assertEquals(StyleLoader.MAX_BYTES + 1, read[0], "read up to the limit, no further");

        // At the limit exactly, a style still loads (padding is whitespace).
        String small = "{\"format\":\"parley-style\",\"version\":1,\"displayName\":\"S\",\"pack\":\"p\","
                + "\"dimension\":1,\"embedding\":[1]}";
        write("edge.style.json", small + " ".repeat(StyleLoader.MAX_BYTES - small.length()));
        assertEquals("S", assets().loadAsset(new StyleKey("edge.style.json")).displayName());
    }

    @Test
    void writeDoesNotCloseTheCallersStream() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        StyleLoader.write(new Style("s", "S", "p", new float[] {1f}), sink);
        assertTrue(sink.size() > 0);
        assertTrue(!closed[0]);
    }
}
