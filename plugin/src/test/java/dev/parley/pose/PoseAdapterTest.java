package dev.parley.pose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.ParleyPack;
import dev.parley.testing.Golden;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import dev.parley.util.AssetFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed pose adapter ({@code models/packs/pose-adapter-v1}) in the real ONNX Runtime against its
 * PyTorch golden ({@code python3 -m parley pose golden}): features, greedy codes and pose of a fixed PCM, the
 * step graph and the decoder on random inputs; retrieval; and bad folders refused by file and field.
 */
class PoseAdapterTest {

    /** ONNX Runtime against PyTorch (the export's parity bound). */
    static final double TOLERANCE = 1e-4;
    /**
     * The pack's audio encoder in ONNX Runtime against PyTorch as the pose run computes features (the pack
     * rebuilt by parley.model.evaluate.load_pack): measured 8.6e-4 on the golden line. The codes and the pose
     * (the adapter's output) are held to {@link #TOLERANCE}; the features only feed the argmax.
     */
    static final double FEATURE_TOLERANCE = 1e-3;

    static ParleyPack pack;
    static PoseAdapter adapter;
    static Golden golden;

    /** @return the committed adapter's folder */
    static Path folder() {
        return TestAssets.root().resolve("models/packs/pose-adapter-v1");
    }

    @BeforeAll
    static void load() {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        adapter = PoseAdapter.load(folder(), pack);
        golden = Golden.loadFolder(folder().resolve("golden"));
    }

    @AfterAll
    static void close() {
        adapter.close();
        pack.close();
    }

    private static void report(String what, double diff) {
        report(what, diff, TOLERANCE);
    }

    private static void report(String what, double diff, double tolerance) {
        System.out.printf("pose adapter parity: %s max |diff| = %.3g (tolerance %.0e)%n", what, diff, tolerance);
        assertTrue(diff <= tolerance, what + ": max |diff| " + diff + " > " + tolerance);
    }

    private static String name(String key) {
        return golden.index().get(key).asText();
    }

    @Test
    void aLinesFeaturesCodesAndPoseMatchPyTorch() {
        int style = golden.index().get("style").asInt();
        int frames = golden.index().get("frames").asInt();
        assertEquals(style, adapter.styleIndex(golden.index().get("styleName").asText()));
        float[] pcm = golden.floats(name("pcm"));
        float[] features = adapter.features(pcm);
        report("audio features", Golden.maxAbsDiff(golden.floats(name("audioFeatures")), features),
                FEATURE_TOLERANCE);
        long[] expectedCodes = golden.longs(name("codes"));
        assertArrayEquals(expectedCodes, adapter.codes(golden.floats(name("audioFeatures")), frames, style),
                "greedy codes from the golden features");
        float[] pose = adapter.pose(pcm, style);
        assertEquals(frames * PoseAdapter.POSE_DIM, pose.length, "one pose per frame of the speech");
        report("pose of the line", Golden.maxAbsDiff(golden.floats(name("pose")), pose));
        assertArrayEquals(expectedCodes, adapter.codes(features, frames, style), "greedy codes from the PCM");
    }

    /**
     * The adapter's own features of a line are the worker's: the PCM through the pack's silence gate, then the
     * encoder. A line whose second half is 40 dB down, which the gate silences, tells the two apart.
     */
    @Test
    void theAdaptersOwnFeaturesAreTheWorkersGatedOnes() {
        assertTrue(pack.manifest().silenceGate() != null, "the committed pack gates its encoder's PCM");
        float[] pcm = TestVoice.pcm(6.0, pack.manifest().sampleRate());
        for (int i = pcm.length / 2; i < pcm.length; i++) {
            pcm[i] *= 1e-2f;
        }
        float[] own = adapter.features(pcm);
        float[] worker = Arrays.copyOf(adapter.windowFeatures(pcm, pack.audioEncoder()), own.length);
        report("own features against the worker's (quiet second half)", Golden.maxAbsDiff(worker, own), 1e-6);
    }

    @Test
    void theStepGraphAndTheDecoderMatchPyTorchOnRandomInputs() {
        float[] oneHot = new float[adapter.styleCount()];
        oneHot[golden.index().get("style").asInt()] = 1f;
        float[] logits = adapter.logits(golden.longs(name("probeTokens")), golden.floats(name("audioFeatures")),
                oneHot);
        report("step graph logits", Golden.maxAbsDiff(golden.floats(name("probeLogits")), logits));
        long[] codes = golden.longs(name("probeCodes"));
        float[] pose = adapter.decode(codes, codes.length * adapter.framesPerCode());
        report("decoder", Golden.maxAbsDiff(golden.floats(name("probePose")), pose));
    }

    @Test
    void aStylesOwnMatrixRetrievesIt() throws IOException {
        JsonNode matrices = new ObjectMapper().readTree(folder().resolve(PoseAdapter.MANIFEST).toFile())
                .get("styles").get("matrices");
        for (int s : new int[] {0, 5, adapter.styleCount() - 1}) {
            float[] m = new float[PoseAdapter.MATRIX_ROWS * PoseAdapter.MATRIX_COLUMNS];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) matrices.get(s).get(i / PoseAdapter.MATRIX_COLUMNS)
                        .get(i % PoseAdapter.MATRIX_COLUMNS).asDouble();
            }
            assertEquals(s, adapter.retrieve(m), "style " + s);
        }
        assertThrows(IllegalArgumentException.class, () -> adapter.styleIndex("nobody"));
    }

    private static Path copy(Path dir) throws IOException {
        for (String f : new String[] {PoseAdapter.MANIFEST, "pose_gpt.onnx", "pose_decoder.onnx"}) {
            Files.copy(folder().resolve(f), dir.resolve(f));
        }
        return dir;
    }

    @Test
    void aCorruptGraphIsRefusedByItsChecksum(@TempDir Path dir) throws IOException {
        copy(dir);
        byte[] bytes = Files.readAllBytes(dir.resolve("pose_gpt.onnx"));
        bytes[bytes.length / 2] ^= 1;
        Files.write(dir.resolve("pose_gpt.onnx"), bytes);
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> PoseAdapter.load(dir, pack));
        assertTrue(e.getMessage().contains("field 'checksums.pose_gpt.onnx' expected SHA-256 "), e.getMessage());
        assertTrue(e.getMessage().contains(" but got "), e.getMessage());
    }

    @Test
    void aBadManifestIsRefusedByField(@TempDir Path dir) throws IOException {
        copy(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(dir.resolve(PoseAdapter.MANIFEST).toFile());
        root.put("audioFeatureDim", 64);
        Files.writeString(dir.resolve(PoseAdapter.MANIFEST), json.writeValueAsString(root));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> PoseAdapter.load(dir, pack));
        assertTrue(e.getMessage().contains("field 'audioFeatureDim' expected 128 (the pack's audio.featureDim) but "
                + "got 64"), e.getMessage());
        ((ObjectNode) root.put("audioFeatureDim", 128).get("pack")).put("audioEncoderSha256", "0".repeat(64));
        Files.writeString(dir.resolve(PoseAdapter.MANIFEST), json.writeValueAsString(root));
        e = assertThrows(AssetFormatException.class, () -> PoseAdapter.load(dir, pack));
        assertTrue(e.getMessage().contains("field 'pack.audioEncoderSha256' expected SHA-256 " + "0".repeat(64)),
                e.getMessage());
        ((ObjectNode) root.get("pack")).put("audioEncoderSha256",
                json.readTree(folder().resolve(PoseAdapter.MANIFEST).toFile()).get("pack").get("audioEncoderSha256")
                        .asText());
        ((ObjectNode) root.get("graphs")).put("gpt", "pose_decoder.onnx");
        Files.writeString(dir.resolve(PoseAdapter.MANIFEST), json.writeValueAsString(root));
        e = assertThrows(AssetFormatException.class, () -> PoseAdapter.load(dir, pack));
        assertTrue(e.getMessage().contains("field 'graphs' expected inputs [tokens, audio_features, style] and "
                + "output 'logits' but a graph has [codes] -> [pose]"), e.getMessage());
        Files.writeString(dir.resolve(PoseAdapter.MANIFEST), "{\"format\": \"parley-pose-adapter\"");
        e = assertThrows(AssetFormatException.class, () -> PoseAdapter.load(dir, pack));
        assertTrue(e.getMessage().startsWith(dir.resolve(PoseAdapter.MANIFEST).toString()), e.getMessage());
    }
}
