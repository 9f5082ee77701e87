package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo's scripted mode, rendered for real (under Xvfb in CI), driven by the audio-driven model
 * (Parley's runtime on the shipped pack): one character says a line while the others listen. The panel must be on
 * screen, the speaker's mouth must change between frames,
 * and the listeners' mouths must barely change (blinks, breathing and gaze only). In the dialogue camera's
 * close-up strip the speaker's lips must be at least 80 px wide and close and open again, and the listener's eyes
 * must shut on the scripted blink and open again, measured from the pixels.
 */
class ScriptedDemoRenderTest {

    /** Group shots taken while the first character talks, all from the same camera. */
    private static final int[] TALKING_SHOTS = {1, 2, 3, 4, 5};
    /** A pixel in the lips box darker than this fraction of the skin's luma is the mouth's cavity. */
    private static final double CAVITY_SHADE = 0.62;
    /** Luma below which a pixel of the eye region is iris, pupil or lash line (not lid or sclera). */
    private static final double EYE_DARK_LUMA = 110;
    /**
     * A pixel of the eye region whose blue is at most this far below its red is sclera or iris: the lids' lit skin
     * is warmer (blue 20 or more below red in the strip, even where the red channel clips).
     */
    private static final int EYE_WARMTH = 12;

    private static File dir;
    private static JsonNode shots;

    @BeforeAll
    static void runTheScriptedDemo() throws Exception {
        Displays.require();
        dir = Path.of("target", "scripted-demo").toFile();
        ParleyDemo app = new ParleyDemo(dir, true); // the audio-driven model, whatever the pack's default
        app.setSettings(ParleyDemo.settings(true));
        app.setShowSettings(false);
        app.start();
        if (!app.awaitExit(420)) {
            app.stop();
            fail("the scripted demo did not finish within 420 s");
        }
        shots = new ObjectMapper().readTree(new File(dir, ScriptedRunState.SHOTS_FILE));
    }

    /** llvmpipe's anisotropic filter can loop over millions of texels a pixel: software rendering goes without. */
    @Test
    void anisotropyIsOffInSoftwareRenderingAndOnOnAGpu() {
        assertTrue(ParleyDemo.isSoftwareRasteriser("llvmpipe (LLVM 15.0.6, 256 bits)"));
        assertTrue(ParleyDemo.isSoftwareRasteriser("Software Rasterizer (swrast)"));
        assertFalse(ParleyDemo.isSoftwareRasteriser("NVIDIA GeForce RTX 4070/PCIe/SSE2"));
        String renderer = shots.get("renderer").asText();
        int expected = ParleyDemo.isSoftwareRasteriser(renderer) ? 1 : ParleyDemo.ANISOTROPY;
        assertEquals(expected, shots.get("anisotropy").asInt(), "renderer " + renderer);
    }

    @Test
    void speakerMouthMovesListenersBarelyAndThePanelIsShown() throws Exception {
        assertEquals(ParleyDemo.GROUP_SHOTS.length + ParleyDemo.STRIP_FRAMES, shots.get("shots").size(),
                "screenshots taken");

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

    @Test
    void theStripShowsTheSpeakersLipsCloseAndOpen() throws Exception {
        int first = ParleyDemo.GROUP_SHOTS.length;
        int frames = ParleyDemo.STRIP_FRAMES;
        String speaker = shots.get("shots").get(0).get("characters").get(0).get("name").asText();
        int[] cavity = new int[frames];
        int narrowest = Integer.MAX_VALUE;
        for (int i = 0; i < frames; i++) {
            JsonNode shot = shots.get("shots").get(first + i);
            assertEquals("dialogue", shot.get("camera").asText(), "camera of " + shot.get("file"));
            assertEquals(speaker, shot.get("speaker").asText(), "speaker of " + shot.get("file"));
            BufferedImage image = ImageIO.read(new File(dir, shot.get("file").asText()));
            int[] mouth = ints(character(shot, speaker).get("mouth"));
            narrowest = Math.min(narrowest, mouth[2] - mouth[0]);
            cavity[i] = cavityHeight(image, mouth);
        }
        System.out.println("dialogue strip: speaker's lips " + narrowest + " px wide at the narrowest; cavity height"
                + " (px) per frame " + Arrays.toString(cavity));
        assertTrue(narrowest >= 80, "the speaker's lips span at least 80 px in every frame: " + narrowest);
        // Open (a vowel), then shut (the m of "Welcome" or the p of "Copper"), then open again.
        int open = 12;
        int shut = 2;
        int firstOpen = -1;
        int closedAfter = -1;
        int reopened = -1;
        for (int i = 0; i < frames; i++) {
            if (firstOpen < 0 && cavity[i] >= open) {
                firstOpen = i;
            } else if (firstOpen >= 0 && closedAfter < 0 && cavity[i] <= shut) {
                closedAfter = i;
            } else if (closedAfter >= 0 && reopened < 0 && cavity[i] >= open) {
                reopened = i;
            }
        }
        assertTrue(reopened > 0, "the lips open (cavity >= " + open + " px), close (<= " + shut
                + " px) on the bilabial and open again: " + Arrays.toString(cavity));
        BufferedImage strip = ImageIO.read(new File(dir, ParleyDemo.STRIP_FILE));
        assertEquals(ShotStrip.COLUMNS * (ShotStrip.FACE_W + 4) + 4, strip.getWidth(), "strip width");
        BufferedImage hero = ImageIO.read(new File(dir, ParleyDemo.HERO_FILE));
        assertEquals(1280, hero.getWidth(), "hero shot width");
        assertEquals(720, hero.getHeight(), "hero shot height");
    }

    /**
     * Regression: the scripted blink was added on the head's root, where it ran before the listener's talker, which
     * overwrote it with idle motion every frame; the strip's eyes never closed.
     */
    @Test
    void theListenerBlinksDuringTheStripAndOpensAgain() throws Exception {
        int first = ParleyDemo.GROUP_SHOTS.length;
        float blinkStart = ParleyDemo.STRIP_START + ParleyDemo.BLINK_AT;
        float blinkEnd = blinkStart + ForcedBlink.DURATION;
        int[] opening = new int[ParleyDemo.STRIP_FRAMES];
        List<Integer> before = new ArrayList<>();
        int during = Integer.MAX_VALUE;
        int after = -1;
        for (int i = 0; i < opening.length; i++) {
            JsonNode shot = shots.get("shots").get(first + i);
            JsonNode eyes = character(shot, shot.get("listener").asText()).get("eyes");
            assertTrue(eyes != null, "the listener has an open head's eyes: " + shot.get("listener"));
            opening[i] = eyeOpening(ImageIO.read(new File(dir, shot.get("file").asText())), ints(eyes));
            float t = (float) shot.get("time").asDouble();
            if (t < blinkStart) {
                before.add(opening[i]);
            } else if (t <= blinkEnd) {
                during = Math.min(during, opening[i]);
            } else if (t > blinkEnd + ParleyDemo.STRIP_STEP) {
                after = Math.max(after, opening[i]);
            }
        }
        System.out.println("dialogue strip: listener's eye opening (sclera and iris pixels) per frame "
                + Arrays.toString(opening));
        assertTrue(!before.isEmpty() && during != Integer.MAX_VALUE && after >= 0,
                "strip frames before, during and after the blink: " + Arrays.toString(opening));
        before.sort(null);
        int open = before.get(before.size() / 2);
        assertTrue(open >= 100, "the listener's open eyes show at least 100 px before the blink: "
                + Arrays.toString(opening));
        assertTrue(during <= open / 5, "the lids cover the eyes during the blink (at most a fifth of " + open
                + " px): " + Arrays.toString(opening));
        assertTrue(after >= open * 4 / 5, "the eyes open again after the blink (at least four fifths of " + open
                + " px): " + Arrays.toString(opening));
    }

    private static JsonNode character(JsonNode shot, String name) {
        for (JsonNode c : shot.get("characters")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no character '" + name + "' in " + shot.get("file"));
    }

    /**
     * How far the mouth opens, in pixels: the most mouth-opening pixels in any column of the lips box's middle
     * third. A pixel is in the opening if it is darker than {@link #CAVITY_SHADE} of the skin at that column's
     * ends (the box's top and bottom rows) or white (teeth); lips and skin are neither.
     */
    private static int cavityHeight(BufferedImage image, int[] box) {
        int w = box[2] - box[0];
        int y0 = Math.max(0, box[1]);
        int y1 = Math.min(image.getHeight(), box[3]);
        int best = 0;
        for (int x = Math.max(0, box[0] + w / 3); x < Math.min(image.getWidth(), box[2] - w / 3); x++) {
            double skin = Math.max(luma(image.getRGB(x, y0)), luma(image.getRGB(x, y1 - 1)));
            int n = 0;
            for (int y = y0; y < y1; y++) {
                int p = image.getRGB(x, y);
                int lo = Math.min(p >> 16 & 0xff, Math.min(p >> 8 & 0xff, p & 0xff));
                int hi = Math.max(p >> 16 & 0xff, Math.max(p >> 8 & 0xff, p & 0xff));
                boolean teeth = lo > 200 && hi - lo < 28;
                n += luma(p) < CAVITY_SHADE * skin || teeth ? 1 : 0;
            }
            best = Math.max(best, n);
        }
        return best;
    }

    /**
     * How much of the eyes shows, in pixels: those of the eyes' box that are sclera or iris (blue within
     * {@link #EYE_WARMTH} of red) or pupil and lash line (darker than {@link #EYE_DARK_LUMA}), not the lids' skin.
     */
    private static int eyeOpening(BufferedImage image, int[] box) {
        int n = 0;
        for (int y = Math.max(0, box[1]); y < Math.min(image.getHeight(), box[3]); y++) {
            for (int x = Math.max(0, box[0]); x < Math.min(image.getWidth(), box[2]); x++) {
                int p = image.getRGB(x, y);
                n += luma(p) < EYE_DARK_LUMA || (p & 0xff) >= (p >> 16 & 0xff) - EYE_WARMTH ? 1 : 0;
            }
        }
        return n;
    }

    private static double luma(int rgb) {
        return 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
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
