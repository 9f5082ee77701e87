package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The mouth interior (the mouth bag and the teeth) never shows through the lips or the skin around them, across a
 * line with p/b/m closures, rendered for real under Xvfb. A close-up of Mara in key colours (upper lip region blue,
 * lower lip region red, interior green; see {@link FaceCloseUp#keyed()}): in each image column the interior may
 * show only between the upper lip's lowest and the lower lip's highest pixels; a green pixel below the lower lip's
 * top or above the upper lip's bottom is interior seen through skin (the dark specks of issue 20).
 */
class MouthInteriorRenderTest {

    /** Interior pixels between the lips below which a frame counts as closed-lip (a hairline at most). */
    private static final int CLOSED_BELOW = 250;

    /** Shots: the face at rest before the line, then every 0.15 s across it. */
    private static final float[] SHOTS = shots();

    @Test
    void theMouthInteriorNeverShowsThroughTheLips() throws Exception {
        Displays.require();
        File dir = Path.of("target", "mouth-interior").toFile();
        FaceCloseUp app = new FaceCloseUp(dir, "mara", "bilabial-pie", 0.3f, SHOTS).keyed();
        app.start();
        if (!app.awaitExit(300)) {
            app.stop();
            fail("the close-up did not finish within 300 s");
        }
        JsonNode shots = new ObjectMapper().readTree(new File(dir, ScriptedRunState.SHOTS_FILE)).get("shots");
        assertEquals(SHOTS.length, shots.size(), "screenshots taken");
        int through = 0;
        int closed = 0;
        int throughClosed = 0;
        int maxOpening = 0;
        StringBuilder report = new StringBuilder();
        for (JsonNode shot : shots) {
            BufferedImage image = ImageIO.read(new File(dir, shot.get("file").asText()));
            int[] counts = count(image);
            through += counts[0];
            maxOpening = Math.max(maxOpening, counts[1]);
            if (counts[1] < CLOSED_BELOW) {
                closed++;
                throughClosed += counts[0];
            }
            report.append(shot.get("file").asText()).append(": ").append(counts[0]).append(" through, ")
                    .append(counts[1]).append(" open; ");
        }
        System.out.println("mouth interior through the lips (pixels): " + through + " in " + shots.size()
                + " frames; " + throughClosed + " in " + closed + " closed-lip frames; " + report);
        assertTrue(closed >= 2, "the run has closed-lip frames (rest and p/b/m): " + report);
        assertTrue(maxOpening > 100, "the mouth opens on the vowels (interior pixels between the lips): " + report);
        assertEquals(0, through, "interior pixels seen through the lips or the skin around them: " + report);
    }

    /**
     * @param image a key-coloured close-up
     * @return {interior pixels outside the lips' opening, interior pixels inside it}
     */
    static int[] count(BufferedImage image) {
        int through = 0;
        int open = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            int upperBottom = -1;
            int lowerTop = Integer.MAX_VALUE;
            for (int y = 0; y < image.getHeight(); y++) {
                int key = key(image.getRGB(x, y));
                if (key == 'b' && runOf(image, x, y, 'b')) {
                    upperBottom = y;
                } else if (key == 'r' && lowerTop == Integer.MAX_VALUE && runOf(image, x, y, 'r')) {
                    lowerTop = y;
                }
            }
            for (int y = 0; y < image.getHeight(); y++) {
                if (key(image.getRGB(x, y)) == 'g') {
                    if (y > lowerTop + 1 || y < upperBottom - 1) {
                        through++;
                    } else {
                        open++;
                    }
                }
            }
        }
        return new int[] {through, open};
    }

    /** True if three pixels from (x, y) down are all of one key (a lip, not a stray pixel at an edge). */
    private static boolean runOf(BufferedImage image, int x, int y, char key) {
        for (int k = 1; k < 3; k++) {
            if (y + k >= image.getHeight() || key(image.getRGB(x, y + k)) != key) {
                return false;
            }
        }
        return true;
    }

    /** 'r', 'g' or 'b' for a pixel whose channel dominates the other two, else ' '. */
    private static char key(int rgb) {
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        if (r > 40 && r > 2 * g && r > 2 * b) {
            return 'r';
        }
        if (g > 40 && g > 2 * r && g > 2 * b) {
            return 'g';
        }
        return b > 40 && b > 2 * r && b > 2 * g ? 'b' : ' ';
    }

    private static float[] shots() {
        float[] out = new float[24];
        out[0] = 0.3f;
        for (int i = 1; i < out.length; i++) {
            out[i] = FaceCloseUp.LINE_START + 0.15f * i;
        }
        return out;
    }

    /**
     * Prints the counts of key-coloured images.
     *
     * @param args image files
     * @throws Exception if one cannot be read
     */
    public static void main(String[] args) throws Exception {
        for (String f : args) {
            int[] c = count(ImageIO.read(new File(f)));
            System.out.println(f + " through=" + c[0] + " open=" + c[1]);
        }
    }
}
