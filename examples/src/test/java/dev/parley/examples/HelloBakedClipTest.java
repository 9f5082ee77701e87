package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.jme3.anim.AnimComposer;
import dev.parley.anim.BakedFaceControl;
import dev.parley.tools.ParleyTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HelloBakedClip} rendered for real, with its clip baked first by the real tool
 * ({@code parley-tool bake}, the shipped pack) into the test classes' folder, which is on the tests'
 * classpath as {@code scripts/example.sh} puts its bake folder on the example's: while the clip plays,
 * the lit head's mouth differs from the clip's last frame, which the face holds once the clip has ended.
 */
class HelloBakedClipTest {

    @BeforeAll
    static void bake() {
        Path out = Path.of(System.getProperty("parley.bakedAssets")).resolve(HelloBakedClip.CLIP).getParent();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(log, true);
        int rc = new ParleyTool(print, print).run("bake", "assets/" + HelloBakedClip.LINE, "--style",
                "assets/Styles/calm.style.json", "--out", out.toString());
        assertEquals(0, rc, "bake: " + log);
    }

    @Test
    void theBakedClipMovesTheMouthThenHoldsItsLastFrame() throws Exception {
        try (ExampleRun run = new ExampleRun(new HelloBakedClip())) {
            AnimComposer composer = run.control(AnimComposer.class);
            BakedFaceControl face = run.control(BakedFaceControl.class);
            assertNotNull(composer, "the example plays the clip with an AnimComposer");
            assertNotNull(face, "and applies its morph weights with a BakedFaceControl");
            run.assertMouthsMoveWhileSpeaking("hello-baked-clip", List.of(face.getRig().getModel()),
                    () -> composer.getCurrentAction() != null && composer.getTime() >= 1.0,
                    () -> composer.getCurrentAction() == null);
        }
    }
}
