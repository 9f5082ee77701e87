package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The demo's scripted mode, rendered for real (under Xvfb in CI), driven by the audio-driven model
 * (Parley's runtime on the shipped pack): one character says a line while the others listen. The panel must be on
 * screen, the speaker's mouth must change between frames,
 * and the listeners' mouths must barely change (blinks, breathing and gaze only).
 */
class ScriptedDemoRenderTest {

    /** Group shots taken while the first character talks, all from the same camera. */
    private static final int[] TALKING_SHOTS = {1, 2, 3, 4, 5};

    @Test
    void speakerMouthMovesListenersBarelyAndThePanelIsShown() throws Exception {
        Displays.require();
        File dir = Path.of("target", "scripted-demo").toFile();
        ParleyDemo app = new ParleyDemo(dir, true); // the audio-driven model, whatever the pack's default
        app.setSettings(ParleyDemo.settings(true));
        app.setShowSettings(false);
        app.start();
        if (!app.awaitExit(300)) {
            app.stop();
            fail("the scripted demo did not finish within 300 s");
        }
        JsonNode shots = new ObjectMapper().readTree(new File(dir, ScriptedRunState.SHOTS_FILE));
        assertEquals(8, shots.get("shots").size(), "screenshots taken");

        for (JsonNode shot : shots.get("shots")) {
            JsonNode panel = shot.get("panel");
            assertTrue(panel.get("attached").asBoolean(), "panel attached in " + shot.get("file"));
            assertTrue(panel.get("children").asInt() >= 12, "panel has its controls: " + panel);
            BufferedImage image = ImageIO.read(new File(dir, shot.get("file").asText()));
            int[] r = ints(panel.get("rect"));
            assertTrue(r[0] >= 0 && r[1] >= 0 && r[2] <= image.getWidth() && r[3] <= image.getHeight()
                    && r[2] - r[0] > 150,
                    "panel on screen: " + panel.get("rect"));
        }

        JsonNode characters = shots.get("shots").get(TALKING_SHOTS[0]).get("characters");
        List<BufferedImage> frames = new ArrayList<>();
        for (int s : TALKING_SHOTS) {
            frames.add(ImageIO.read(new File(dir, shots.get("shots").get(s).get("file").asText())));
        }
        double speaker = -1;
        double listeners = 0;
        StringBuilder report = new StringBuilder();
        for (int c = 0; c < characters.size(); c++) {
            int[] box = ints(characters.get(c).get("mouth"));
            double change = 0;
            for (int k = 1; k < frames.size(); k++) {
                change = Math.max(change, meanDifference(frames.get(k - 1), frames.get(k), box));
            }
            boolean talking = shots.get("shots").get(TALKING_SHOTS[1]).get("characters").get(c).get("talking")
                    .asBoolean();
            report.append(characters.get(c).get("name").asText()).append(talking ? " (talking)" : "").append(": ")
                    .append(String.format("%.2f", change)).append("; ");
            if (talking) {
                speaker = change;
            } else {
                listeners = Math.max(listeners, change);
            }
        }
        System.out.println("scripted demo, mouth change (mean levels): " + report);
        assertTrue(speaker >= 0, "one character talks: " + report);
        assertTrue(speaker > 6.0, "the speaker's mouth changes between frames (mean levels): " + report);
        assertTrue(speaker > 3 * listeners, "listeners' mouths barely change: " + report);
    }

    /** Mean absolute RGB difference (0-255) inside a box, clipped to the image. */
    private static double meanDifference(BufferedImage a, BufferedImage b, int[] box) {
        int x0 = Math.max(0, box[0]);
        int y0 = Math.max(0, box[1]);
        int x1 = Math.min(a.getWidth(), box[2]);
        int y1 = Math.min(a.getHeight(), box[3]);
        assertTrue(x1 - x0 >= 6 && y1 - y0 >= 4, "mouth box on screen and not tiny: " + java.util.Arrays.toString(box));
        long sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                sum += Math.abs((p >> 16 & 0xff) - (q >> 16 & 0xff)) + Math.abs((p >> 8 & 0xff) - (q >> 8 & 0xff))
                        + Math.abs((p & 0xff) - (q & 0xff));
            }
        }
        return sum / (3.0 * (x1 - x0) * (y1 - y0));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
