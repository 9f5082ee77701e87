package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.motion.FaceJoint;
import dev.parley.rig.FaceRig;
import dev.parley.testing.HeadlessApp;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each villager's lines are conditioned on its own face (issue 16): the beta of its character file shapes
 * its mesh and, recorded by {@code HeadShape.apply}, reaches the model through its talking head.
 */
class VillagerShapeTest {

    @Test
    void eachVillagerTalksWithTheShapeOfItsCharacterFile() throws Exception {
        try (HeadlessApp app = HeadlessApp.start(30)) {
            CastState cast = startCast(app);
            List<CastMember> villagers = app.call(cast::speakers);
            List<CharacterAssets.Entry> files =
                    CharacterAssets.load(DemoAssets.folder().resolve(CharacterAssets.FOLDER));
            assertEquals(files.size(), villagers.size(), "one villager per character file");
            for (int i = 0; i < villagers.size(); i++) {
                float[] beta = files.get(i).profile().beta();
                assertArrayEquals(beta, villagers.get(i).talker().getShape(), files.get(i).file().toString());
                for (int j = 0; j < i; j++) {
                    assertFalse(Arrays.equals(beta, villagers.get(j).talker().getShape()),
                            "villagers " + j + " and " + i);
                }
            }
        }
    }

    @Test
    void theArkitVillagerTalksThroughItsRigProfileWithBothDrivers() throws Exception {
        try (HeadlessApp app = HeadlessApp.start(30)) {
            CastState cast = startCast(app);
            List<CastMember> villagers = app.call(cast::speakers);
            int index = -1;
            for (int i = 0; i < villagers.size(); i++) {
                if ("arkit52".equals(villagers.get(i).profile().rig())) {
                    assertEquals(-1, index, "one villager on the ARKit head");
                    index = i;
                }
            }
            assertTrue(index >= 0, "a villager on the ARKit head: " + villagers);
            CastMember tomas = villagers.get(index);
            assertNull(tomas.talker().getBindError(), "bound");
            FaceRig rig = tomas.talker().getFace().getRig();
            assertNotNull(rig.getRetargeter(), "bound through a rig profile");
            assertNull(rig.getJoint(FaceJoint.JAW), "no FLAME jaw joint");
            assertEquals(52, rig.getAppliedWeights().length, "ARKit's 52 targets");
            assertTrue(app.call(cast::usesModel), "the trained pack's model drives the demo");
            assertMoves(app, cast, index, "model");
            app.call(() -> {
                cast.setUseModel(false);
                return null;
            });
            assertMoves(app, cast, index, "energy jaw");
        }
    }

    /** The demo's cast from its character files, built. */
    private static CastState startCast(HeadlessApp app) throws Exception {
        CastState cast = new CastState();
        app.call(() -> app.getStateManager().attach(cast));
        assertTrue(app.await(60, cast::isInitialized), "the cast is built");
        return cast;
    }

    /** The villager says its line; its {@code jawOpen} must open while it talks (idle motion alone does not). */
    private static void assertMoves(HeadlessApp app, CastState cast, int index, String driver) throws Exception {
        CastMember member = cast.speakers().get(index);
        FaceRig rig = member.talker().getFace().getRig();
        int jaw = rig.getRetargeter().set().targetNames().indexOf("jawOpen");
        assertTrue(jaw >= 0, "the set drives jawOpen");
        float rest = app.call(() -> rig.getAppliedWeights()[jaw]);
        app.call(() -> {
            cast.speak(index, cast.line(member.profile().voiceLine()),
                    new SpeechSettings(member.style(), 2f, 1.5f, 0f, 10));
            return null;
        });
        float[] most = {0f};
        assertTrue(app.await(60, () -> {
            most[0] = Math.max(most[0], rig.getAppliedWeights()[jaw] - rest);
            return most[0] > 0.1f;
        }), driver + ": jawOpen opens while Tomas talks (by " + most[0] + " at most)");
        app.call(() -> {
            cast.silence();
            return null;
        });
    }
}
