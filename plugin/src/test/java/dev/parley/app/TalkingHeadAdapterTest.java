package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.asset.AssetManager;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterKey;
import dev.parley.style.Style;
import dev.parley.testing.AdapterFiles;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import dev.parley.util.AssetFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TalkingHead#setAdapter} on the committed pack: a good adapter file runs the character's lines adapted
 * (guided DDIM), bad files written by the test (another pack, wrong ranks, NaN values, a truncated file, another
 * denoiser) are refused with the file, the field, the expected and the found value, and the character keeps
 * the model it had. Nothing SEVERE is logged.
 */
class TalkingHeadAdapterTest {

    private static HeadlessApp app;
    private static ParleyAppState parley;
    private static HeadSpec spec;
    private static Spatial headModel;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        app = HeadlessApp.start(60);
        parley = ParleyAppStateTest.attachParley(app);
        spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
        headModel = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** The committed golden adapter of the pack, then bad variants of it, as files of an asset folder. */
    private static AssetManager assets() throws IOException {
        byte[] good = Files.readAllBytes(Golden.pack().resolve("golden/adapter/golden.adapter"));
        Files.write(dir.resolve("good.adapter"), good);
        Files.write(dir.resolve("otherpack.adapter"), AdapterFiles.withHeader(good,
                h -> ((ObjectNode) h.get("pack")).put("id", "guard-pack")));
        Files.write(dir.resolve("ranks.adapter"),
                AdapterFiles.withHeader(good, h -> h.putArray("ranks").add(2).add(8)));
        Files.write(dir.resolve("nan.adapter"), AdapterFiles.withNaN(good, 1234));
        Files.write(dir.resolve("truncated.adapter"), Arrays.copyOf(good, good.length - 1000));
        Files.write(dir.resolve("otherdenoiser.adapter"), AdapterFiles.withHeader(good,
                h -> ((ObjectNode) h.get("pack")).put("denoiserSha256", "cd".repeat(32))));
        AssetManager am = TestAssets.assetManager(dir);
        AdapterKey.register(am);
        return am;
    }

    private static TalkingHead newHead(String name) throws Exception {
        return app.call(() -> {
            Spatial model = headModel.clone();
            model.setName(name);
            app.getRootNode().attachChild(model);
            float[] e = new float[128];
            e[3] = 1f;
            return parley.attach(model, spec, new Style("npc.style.json", "Npc", "parley-base-v1", e));
        });
    }

    /** Loads and assigns an adapter file as a game would; returns the refusal. */
    private static AssetFormatException refused(AssetManager am, TalkingHead head, String file) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> app.call(() -> {
            head.setAdapter(am.loadAsset(new AdapterKey(file)));
            return null;
        }), file);
        return assertInstanceOf(AssetFormatException.class, e.getCause(), file);
    }

    /** Says a line and waits for it to finish; returns it. */
    private static Line say(TalkingHead head) throws Exception {
        Line line = app.call(() -> head.say(TestVoice.pcm(1.0, 16000), 16000));
        assertTrue(app.await(60, () -> line.state() == Line.State.FINISHED), "line finished: " + line);
        return line;
    }

    @Test
    void badFilesAreRefusedAndTheCharacterKeepsItsModel() throws Exception {
        AssetManager am = assets();
        TalkingHead npc = newHead("Npc");
        String sha = parley.manifest().denoiserSha256();
        try (LogCapture log = LogCapture.all()) {
            assertEquals("otherpack.adapter: field 'pack.id' expected 'parley-base-v1' but got 'guard-pack': refit the"
                    + " adapter for this pack (python3 -m parley adapt)", refused(am, npc, "otherpack.adapter")
                    .getMessage());
            assertEquals("ranks.adapter: field 'factors' expected float32 [10, 9728] (the sum of the ranks by"
                    + " rowWidth) but got float32 [2, 9728]", refused(am, npc, "ranks.adapter").getMessage());
            assertEquals("nan.adapter: field 'factor data' expected finite values but got 1 NaN or infinite",
                    refused(am, npc, "nan.adapter").getMessage());
            assertTrue(refused(am, npc, "truncated.adapter").getMessage().startsWith("truncated.adapter: field"
                    + " 'factor data' expected 77824 bytes but got 76824 (truncated file)"));
            assertEquals("otherdenoiser.adapter: field 'pack.denoiserSha256' expected '" + sha + "' but got '"
                    + "cd".repeat(32) + "': refit the adapter for this pack (python3 -m parley adapt)",
                    refused(am, npc, "otherdenoiser.adapter").getMessage());
            assertNull(npc.getAdapter(), "the character keeps the plain model");
            Line plain = say(npc);
            assertNull(plain.job.adapter());
            assertTrue(plain.job.guidance().folded(), "a plain styled line runs the pack's default, the student");

            Adapter good = am.loadAsset(new AdapterKey("good.adapter"));
            app.call(() -> {
                npc.setAdapter(good);
                return null;
            });
            refused(am, npc, "otherpack.adapter");
            assertSame(good, npc.getAdapter(), "a refused adapter leaves the one the character had");
            Line adapted = say(npc);
            assertSame(good, adapted.job.adapter());
            assertFalse(adapted.job.guidance().folded(), "an adapted line runs the guided DDIM");
            assertEquals(parley.manifest().defaultSteps(), adapted.job.steps());
            assertTrue(adapted.job.failure() == null && adapted.job.isGenerationDone(), "adapted line made");

            app.call(() -> {
                npc.setAdapter(null);
                return null;
            });
            assertNull(say(npc).job.adapter(), "null takes the adapter away");
            log.assertNone(Level.SEVERE);
            assertFalse(log.records().stream().anyMatch(r -> r.getThrown() != null), "no stack trace logged");
        }
    }
}
