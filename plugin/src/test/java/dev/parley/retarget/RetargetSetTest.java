package dev.parley.retarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.asset.AssetManager;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestAssets;
import dev.parley.util.AssetFormatException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and validating the committed retarget assets, and refusing broken ones with a clear error. */
class RetargetSetTest {

    /** Writes NaN and Infinity as bare tokens, as Python's json does. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();
    private static final String BAD = "bad.retarget.json";

    @TempDir
    Path dir;

    static Path committed(String id) {
        return TestAssets.assets().resolve("Retargets/" + id + ".retarget.json");
    }

    @Test
    void theCommittedSetsLoadWithTheirTargetsInOrder() {
        AssetManager am = TestAssets.assetManager();
        RetargetSet arkit = RetargetSet.load(am, "Retargets/arkit52.retarget.json");
        assertEquals("arkit52", arkit.id());
        assertEquals(52, arkit.targetCount());
        assertEquals(List.of("eyeBlinkLeft", "eyeLookDownLeft"), arkit.targetNames().subList(0, 2));
        assertTrue(arkit.targetNames().containsAll(List.of("jawOpen", "mouthClose", "mouthFunnel", "mouthPucker",
                "mouthRollLower", "browInnerUp", "tongueOut")), arkit.targetNames().toString());
        assertEquals(RetargetSet.Projection.BOX, arkit.projection());
        assertEquals(-1, arkit.restIndex());
        assertEquals(109, arkit.featureCount());
        assertEquals(56, arkit.motionDim());
        assertEquals(60, arkit.iterations());
        assertEquals(3, arkit.goldenCount());
        assertEquals("ParleyHead", arkit.headName());
        // The asset manager's cache shares the immutable set.
        assertSame(arkit, RetargetSet.load(am, "Retargets/arkit52.retarget.json"));

        RetargetSet visemes = RetargetSet.load(committed("oculus15"));
        assertEquals(List.of("sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U"),
                visemes.targetNames());
        assertEquals(RetargetSet.Projection.CONVEX, visemes.projection());
        assertEquals(0, visemes.restIndex());
        assertTrue(visemes.targetDescription(0).startsWith("silence"), visemes.targetDescription(0));

        RetargetSet vrm = RetargetSet.load(am, "Retargets/vrm10.retarget.json");
        assertEquals(List.of("aa", "ih", "ou", "ee", "oh", "blink", "blinkLeft", "blinkRight", "lookUp", "lookDown",
                "lookLeft", "lookRight", "happy", "angry", "sad", "relaxed", "surprised", "neutral"),
                vrm.targetNames());
        assertEquals(RetargetSet.Projection.BOX, vrm.projection());
    }

    @Test
    void aSetCannotBeChangedThroughItsAccessors() {
        RetargetSet set = RetargetSet.load(committed("vrm10"));
        assertThrows(UnsupportedOperationException.class, () -> set.targetNames().set(0, "x"));
        assertThrows(UnsupportedOperationException.class, () -> set.expressionNames().clear());
        double[] golden = set.goldenWeights(2);
        assertNotSame(golden, set.goldenWeights(2));
        golden[0] = 42;
        assertTrue(set.goldenWeights(2)[0] != 42);
    }

    @Test
    void truncatedJsonIsRefused() throws IOException {
        String text = Files.readString(committed("arkit52"));
        Files.writeString(dir.resolve(BAD), text.substring(0, text.length() / 2));
        String message = refused();
        assertTrue(message.startsWith(BAD + " is not valid JSON: Unexpected end-of-input"), message);
    }

    /** Python's json writes a NaN as a bare token: the error still names the field. */
    @Test
    void aNaNStepOrMatrixEntryIsRefusedByField() throws IOException {
        String text = Files.readString(committed("oculus15"));
        int step = text.indexOf("\"step\": ");
        String nanStep = text.substring(0, step) + "\"step\": NaN" + text.substring(text.indexOf(',', step));
        Files.writeString(dir.resolve(BAD), nanStep);
        assertEquals(BAD + ": field 'solve.step' expected a finite positive number but got NaN", refused());

        edit("oculus15", root -> ((ArrayNode) root.get("solve").get("A").get(3)).set(7, Double.NaN));
        assertEquals(BAD + ": field 'solve.A[3][7]' expected a finite number but got NaN", refused());
        edit("oculus15", root -> ((ArrayNode) root.get("golden").get("weights").get(1)).set(2,
                Double.POSITIVE_INFINITY));
        assertEquals(BAD + ": field 'golden.weights[1][2]' expected a finite number but got Infinity", refused());
    }

    /** A finite but huge entry (a fuzzer's mutation) would overflow the solve to NaN weights: refused by field. */
    @Test
    void aHugeMatrixEntryIsRefusedByField() throws IOException {
        edit("oculus15", root -> ((ArrayNode) root.get("solve").get("C").get(2)).set(5, 3.0e300));
        assertEquals(BAD + ": field 'solve.C[2][5]' expected a number within +-1.0E12 but got 3.0E300", refused());
        edit("oculus15", root -> ((ArrayNode) root.get("solve").get("G").get(0)).set(0, -2.0e13));
        assertEquals(BAD + ": field 'solve.G[0][0]' expected a number within +-1.0E12 but got -2.0E13", refused());
    }

    @Test
    void aMatrixOfTheWrongSizeIsRefused() throws IOException {
        edit("arkit52", root -> ((ArrayNode) root.get("solve").get("G")).remove(51));
        assertEquals(BAD + ": field 'solve.G' expected 52 entries but got 51", refused());
        edit("arkit52", root -> ((ArrayNode) root.get("solve").get("C").get(10)).remove(108));
        assertEquals(BAD + ": field 'solve.C[10]' expected 109 entries but got 108", refused());
        edit("vrm10", root -> ((ArrayNode) root.get("golden").get("motion").get(0)).add(0.0));
        assertEquals(BAD + ": field 'golden.motion[0]' expected 56 entries but got 57", refused());
    }

    @Test
    void unknownProjectionMissingGoldenAndOtherFieldsAreNamed() throws IOException {
        edit("arkit52", root -> root.put("constraint", "simplex"));
        assertEquals(BAD + ": field 'constraint' expected 'box' or 'convex' but got 'simplex'", refused());
        edit("arkit52", root -> root.remove("golden"));
        assertEquals(BAD + ": field 'golden' is missing", refused());
        edit("arkit52", root -> ((ArrayNode) root.get("golden").get("motion")).removeAll());
        assertEquals(BAD + ": field 'golden.motion' expected at least one golden frame but got none", refused());
        edit("oculus15", root -> root.put("rest", "silence"));
        assertTrue(refused().startsWith(BAD + ": field 'rest' expected null or one of the targets [sil, PP,"));
        edit("oculus15", root -> ((ArrayNode) root.get("solve").get("active")).set(0, "sil"));
        assertEquals(BAD + ": field 'solve.active[0]' expected a target other than the rest target, each once, "
                + "but got \"sil\"", refused());
        edit("vrm10", root -> ((ArrayNode) root.get("input").get("features")).set(51, "jaw.z"));
        assertEquals(BAD + ": field 'input.features[51]' expected 'jaw.y' but got \"jaw.z\"", refused());
        edit("vrm10", root -> ((ArrayNode) root.get("input").get("features")).set(60, "jaw.x*jaw.z"));
        assertEquals(BAD + ": field 'input.features[60]' expected 'expression.lip_press*jaw.x' but got "
                + "\"jaw.x*jaw.z\"", refused());
        edit("vrm10", root -> ((ArrayNode) root.get("input").get("features")).remove(108));
        assertEquals(BAD + ": field 'input.features' expected 2 x 50 + 9 = 109 entries for 50 expression weights "
                + "(expression.*, the jaw terms, expression.* * jaw.x) but got 108", refused());
        edit("vrm10", root -> ((ObjectNode) root.get("solve")).put("step", 1e-6));
        assertTrue(refused().matches(BAD + ": field 'solve.step' expected at most 1 / [0-9.E]+ \\(the largest "
                + "eigenvalue of solve.G\\) = 5\\.08[0-9]*E-8 but got 1\\.0E-6"), refused());
        edit("vrm10", root -> root.put("format", "parley-style"));
        assertEquals(BAD + ": field 'format' expected 'parley-retarget' but got 'parley-style'", refused());
        edit("vrm10", root -> ((ObjectNode) root.get("solve")).put("iterations", -1));
        assertEquals(BAD + ": field 'solve.iterations' expected an integer in [0, 10000] but got -1", refused());
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeParsing() throws IOException {
        String text = Files.readString(committed("arkit52"));
        Files.writeString(dir.resolve(BAD), text + " ".repeat(RetargetSet.MAX_BYTES));
        long[] read = {0};
        try (InputStream in = new FilterInputStream(Files.newInputStream(dir.resolve(BAD))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                read[0] += Math.max(n, 0);
                return n;
            }
        }) {
            AssetFormatException e = assertThrows(AssetFormatException.class, () -> RetargetSet.read(in, BAD));
            assertEquals(BAD + " is larger than 4194304 bytes, the limit for retarget files (ARKit's 52 targets "
                    + "take 167 KB): not parsed", e.getMessage());
        }
        assertEquals(RetargetSet.MAX_BYTES + 1, read[0], "read up to the limit, no further");
        // At the limit exactly it still loads (the padding is whitespace).
        Files.writeString(dir.resolve(BAD), text + " ".repeat(RetargetSet.MAX_BYTES - text.length()));
        assertEquals(52, RetargetSet.load(dir.resolve(BAD)).targetCount());
    }

    /** A game that goes on without a broken set: one warning naming the problem, no exception. */
    @Test
    void loadOrWarnLogsTheProblemOnceAndGoesOn() throws IOException {
        edit("arkit52", root -> ((ArrayNode) root.get("solve").get("G")).remove(51));
        AssetManager am = TestAssets.assetManager(dir);
        try (LogCapture log = LogCapture.all()) {
            assertEquals(Optional.empty(), RetargetSet.loadOrWarn(am, BAD));
            assertEquals(Optional.empty(), RetargetSet.loadOrWarn(am, "missing.retarget.json"));
            log.assertLogged(Level.WARNING, "Retarget set " + BAD + " not loaded, its rigs get no retargeted "
                    + "weights: " + BAD + ": field 'solve.G' expected 52 entries but got 51");
            log.assertLogged(Level.WARNING, "Retarget set missing.retarget.json not loaded");
            assertEquals(2, log.records(Level.WARNING).size(), log.messages(Level.WARNING).toString());
            log.assertNone(Level.SEVERE);
        }
        Files.copy(committed("vrm10"), dir.resolve("vrm10.retarget.json"));
        try (LogCapture log = LogCapture.all()) {
            assertEquals("vrm10", RetargetSet.loadOrWarn(am, "vrm10.retarget.json").orElseThrow().id());
            log.assertNone(Level.WARNING);
        }
    }

    /** Writes the committed asset {@code id}, edited, as {@link #BAD}. */
    private void edit(String id, Consumer<ObjectNode> change) throws IOException {
        ObjectNode root = (ObjectNode) MAPPER.readTree(committed(id).toFile());
        change.accept(root);
        Files.writeString(dir.resolve(BAD), MAPPER.writeValueAsString(root));
    }

    /** Loads {@link #BAD} from its path and through the asset manager; both refuse it with the same message. */
    private String refused() {
        AssetFormatException direct = assertThrows(AssetFormatException.class,
                () -> RetargetSet.load(dir.resolve(BAD)));
        Throwable t = assertThrows(RuntimeException.class,
                () -> RetargetSet.load(TestAssets.assetManager(dir), BAD));
        while (!(t instanceof AssetFormatException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = direct.getMessage().replace(dir.resolve(BAD).toString(), BAD);
        assertEquals(message, t.getMessage());
        return message;
    }
}
