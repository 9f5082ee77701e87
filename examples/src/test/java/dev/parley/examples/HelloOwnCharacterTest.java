package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parley.app.TalkingHead;
import dev.parley.rig.FaceRig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link HelloOwnCharacter} rendered for real: the ARKit character, a different mesh from the open head with no
 * FLAME controls, talks through {@code say()} on the real runtime and pack; its mouth (the vertices its
 * {@code jawOpen} moves) differs between speaking and idle screenshots far more than two idle frames differ.
 */
class HelloOwnCharacterTest {

    @Test
    void theArkitCharacterIsLitAndItsMouthMovesWithTheLine() throws Exception {
        try (ExampleRun run = new ExampleRun(new HelloOwnCharacter())) {
            TalkingHead head = run.heads().get(0);
            assertNull(head.getBindError());
            FaceRig rig = run.call(() -> head.getFace().getRig());
            assertEquals(52, rig.getAppliedWeights().length, "the ARKit set's weights drive it");
            run.assertHeadsMoveWhileSpeaking("hello-own-character", List.of(head));
        }
    }
}
