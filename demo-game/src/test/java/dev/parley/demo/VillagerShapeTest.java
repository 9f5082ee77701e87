package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            CastState cast = new CastState();
            app.call(() -> app.getStateManager().attach(cast));
            assertTrue(app.await(60, cast::isInitialized), "the cast is built");
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
}
