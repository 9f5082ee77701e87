package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.app.SimpleApplication;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.control.Control;
import dev.parley.app.Line;
import dev.parley.app.ParleyAppState;
import dev.parley.app.TalkingHead;
import dev.parley.head.HeadSpec;
import dev.parley.testing.ImageDiff;
import dev.parley.testing.RenderHarness;
import dev.parley.testing.ScreenRegions;
import dev.parley.testing.TestAssets;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Runs an example for real in a 640x480 window (under Xvfb in CI, no audio renderer), waits on its
 * state and takes screenshots, saved under {@code examples/target/screenshots/}.
 */
final class ExampleRun implements AutoCloseable {

    static final int WIDTH = 640;
    static final int HEIGHT = 480;
    /** The open head's spec, for its lips region. */
    static final HeadSpec SPEC = HeadSpec.load(TestAssets.assetManager(), TestAssets.HEAD_SPEC);

    private final SimpleApplication app;
    private final RenderHarness harness;

    ExampleRun(SimpleApplication app) throws Exception {
        this.app = app;
        this.harness = RenderHarness.start(app, WIDTH, HEIGHT);
    }

    /**
     * Runs an example whose characters are Parley's {@link TalkingHead}s, each saying a line from the
     * start, and checks them with {@link #assertHeadsMoveWhileSpeaking}.
     *
     * @param example the example, not started (not null)
     * @param name its name, for the screenshots' file names
     * @param characters how many characters it has
     * @return the lines the characters were saying at the start, for more checks (not null)
     */
    static List<Line> assertCharactersTalk(SimpleApplication example, String name, int characters) throws Exception {
        try (ExampleRun run = new ExampleRun(example)) {
            List<TalkingHead> heads = run.heads();
            assertEquals(characters, heads.size(), "characters in " + name);
            List<Line> lines = new ArrayList<>();
            for (TalkingHead h : heads) {
                lines.add(run.call(h::getLine));
            }
            assertTrue(lines.stream().allMatch(Objects::nonNull), "each says a line from the start: " + lines);
            run.assertHeadsMoveWhileSpeaking(name, heads);
            return lines;
        }
    }

    /** Runs a task on the render thread and waits for it. */
    <T> T call(Callable<T> task) throws Exception {
        return harness.call(task);
    }

    /** Waits until a condition, checked on the render thread, holds; fails the test if it does not in time. */
    void await(double seconds, String what, BooleanSupplier condition) throws Exception {
        assertTrue(harness.await(seconds, condition), "within " + seconds + " s: " + what);
    }

    /** Waits for a number of seconds of the application's own time (its frames' tpf summed). */
    void play(float seconds) throws Exception {
        float end = call(() -> app.getTimer().getTimeInSeconds()) + seconds;
        await(seconds + 30, seconds + " s of play", () -> app.getTimer().getTimeInSeconds() >= end);
    }

    /** Captures the next frame and saves it as {@code NAME.png}. */
    BufferedImage shot(String name) throws Exception {
        BufferedImage image = harness.capture(() -> { });
        RenderHarness.save(image, name);
        return image;
    }

    /** @return the characters the example's {@link ParleyAppState} made */
    List<TalkingHead> heads() throws Exception {
        return call(() -> app.getStateManager().getState(ParleyAppState.class).getHeads());
    }

    /**
     * @param type a control type
     * @param <T> the type
     * @return the first control of that type in the scene, depth first, or null
     */
    <T extends Control> T control(Class<T> type) throws Exception {
        return call(() -> {
            List<T> found = new ArrayList<>();
            app.getRootNode().depthFirstTraversal(s -> {
                if (found.isEmpty() && s.getControl(type) != null) {
                    found.add(s.getControl(type));
                }
            });
            return found.isEmpty() ? null : found.get(0);
        });
    }

    /**
     * @return the screen box of a head's lips, grown down to take in the open jaw; for a character that is not
     *     the open head, of the vertices its {@code jawOpen} moves by over a quarter of its largest offset
     */
    Rectangle mouth(Spatial model) throws Exception {
        return call(() -> {
            if (isOpenHead(model)) {
                return ScreenRegions.project(app.getCamera(), geometry(model), SPEC.region("lips"), 0.1f, 0.8f);
            }
            Map.Entry<Geometry, int[]> jaw = ScreenRegions.movedBy(model, "jawOpen", 0.25f);
            return ScreenRegions.project(app.getCamera(), jaw.getKey(), jaw.getValue(), 0.1f, 0.3f);
        });
    }

    /** @return the screen box of a whole head */
    Rectangle face(Spatial model) throws Exception {
        return call(() -> ScreenRegions.whole(app.getCamera(), isOpenHead(model) ? geometry(model)
                : ScreenRegions.movedBy(model, "jawOpen", 0f).getKey()));
    }

    private static boolean isOpenHead(Spatial model) {
        boolean[] found = {false};
        model.depthFirstTraversal(c -> found[0] |= c instanceof Geometry g
                && g.getMesh().getVertexCount() == SPEC.vertexCount());
        return found[0];
    }

    /**
     * Asserts that a head is drawn and lit: most of its screen box differs from the background (sampled at
     * the image's top-right corner) and is not dark.
     *
     * @return the coverage and mean luma, for the report
     */
    static String assertLit(BufferedImage image, Rectangle face, String what) {
        int background = image.getRGB(image.getWidth() - 1, 0);
        double coverage = ImageDiff.coverage(image, face, background, 12);
        double luma = ImageDiff.meanLuma(image, face);
        String figures = String.format("%s: %.0f%% of %dx%d drawn, mean luma %.1f", what, 100 * coverage, face.width,
                face.height, luma);
        assertTrue(face.width >= 60 && face.height >= 60, "head big on screen: " + figures);
        assertTrue(coverage > 0.5, "head drawn over the background: " + figures);
        assertTrue(luma > 50, "head lit, not black: " + figures);
        return figures;
    }

    /**
     * {@link #assertMouthsMoveWhileSpeaking} for Parley's characters: speaking is all of them at least
     * 1 s into their lines, idle is none speaking and no speech left in the mix.
     *
     * @param name the example's name, for the screenshots' file names
     * @param heads the characters (not null, not empty)
     */
    void assertHeadsMoveWhileSpeaking(String name, List<TalkingHead> heads) throws Exception {
        List<Spatial> models = new ArrayList<>();
        for (TalkingHead h : heads) {
            models.add(call(() -> h.getFace().getRig().getModel()));
        }
        assertMouthsMoveWhileSpeaking(name, models,
                () -> heads.stream().allMatch(h -> h.isSpeaking() && h.getPlaybackTime() >= 1.0f),
                () -> heads.stream().allMatch(h -> !h.isSpeaking() && h.getSpeechWeight() == 0f));
    }

    /**
     * Takes three shots once {@code speaking} holds (0.4 s apart) and two once {@code idle} holds (0.5 s
     * after it, 0.5 s apart), then asserts for each head: drawn and lit while speaking, and its mouth
     * differing between the speaking shots (the most) and idle by more than 3 levels and by more than
     * three times two idle frames differ (idle motion: breathing, blinks, gaze).
     *
     * @param name the example's name, for the screenshots' file names
     * @param models the heads (not null)
     * @param speaking when the heads have been speaking for a while (checked on the render thread)
     * @param idle when the heads are idle again (checked on the render thread)
     */
    void assertMouthsMoveWhileSpeaking(String name, List<Spatial> models, BooleanSupplier speaking,
            BooleanSupplier idle) throws Exception {
        await(120, name + " speaking", speaking);
        List<BufferedImage> speech = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            speech.add(shot(name + "-speaking-" + k));
            play(0.4f);
        }
        await(90, name + " idle again", idle);
        play(0.5f);
        BufferedImage idle1 = shot(name + "-idle-1");
        play(0.5f);
        BufferedImage idle2 = shot(name + "-idle-2");
        for (Spatial model : models) {
            Rectangle mouth = mouth(model);
            String lit = assertLit(speech.get(0), face(model), model.getName());
            double moved = 0;
            for (BufferedImage frame : speech) {
                moved = Math.max(moved, ImageDiff.meanAbsDiff(frame, idle1, mouth));
            }
            double still = ImageDiff.meanAbsDiff(idle1, idle2, mouth);
            String figures = String.format("%s: %s; mouth %dx%d at (%d, %d): speaking vs idle %.2f levels, "
                    + "idle vs idle %.2f", name, lit, mouth.width, mouth.height, mouth.x, mouth.y, moved, still);
            System.out.println(figures);
            assertTrue(moved > 3.0, "the mouth moves with the line: " + figures);
            assertTrue(moved > 3 * still, "speech, not idle motion: " + figures);
        }
    }

    private static Geometry geometry(Spatial model) {
        return ScreenRegions.headGeometry(model, SPEC);
    }

    @Override
    public void close() {
        harness.close();
    }
}
