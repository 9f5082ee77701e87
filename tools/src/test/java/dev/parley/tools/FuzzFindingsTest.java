package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parley.util.AssetFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Inputs the fuzz harness ({@link FuzzTest}, {@code scripts/fuzz.sh}) found that ended in an undocumented
 * exception, each pinned to the reader's documented one. (The style finding lives in StyleLoaderTest.)
 */
class FuzzFindingsTest {

    /** npz, seed 20261205: a zip entry name that is not UTF-8 escaped ZipInputStream's IllegalArgumentException. */
    @Test
    void npzEntryNameThatIsNotUtf8IsAnAssetError() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("xotion.npy"));
            zip.write(new byte[] {1, 2, 3});
        }
        byte[] npz = bytes.toByteArray();
        byte[] name = "xotion.npy".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + name.length <= npz.length; i++) {
            if (npz[i] == name[0] && new String(npz, i, name.length, StandardCharsets.ISO_8859_1)
                    .equals("xotion.npy")) {
                npz[i] = (byte) 0xFF; // a lone 0xFF is never valid UTF-8
            }
        }
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> MotionReader.parse(npz, "bad.npz", 56));
        assertEquals("bad.npz is not a readable NumPy .npz archive (malformed input off : 0, length : 1)",
                e.getMessage());
    }
}
