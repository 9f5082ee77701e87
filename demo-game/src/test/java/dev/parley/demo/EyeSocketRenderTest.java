package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.jme3.math.ColorRGBA;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The eye sockets (dark shells behind the eyes) show only through the eye openings (the dark arc at Mara's temple in
 * the hero shot): each villager, orbited from the front to 3/4 views on both sides while talking (the head turns),
 * rendered twice in one frame, without and with the sockets. A pixel where the two differ is socket; it
 * must be a hole through the head without them (background enclosed by the head) or its rim, never skin or anything
 * else of the head, and never background outside the head's outline.
 */
class EyeSocketRenderTest {

    /** Front and 3/4 views (the dialogue camera's); nearer profile a thin rim of socket still shows at the lid. */
    private static final float[] YAWS = {0f, 25f, -25f, 45f, -45f};
    private static final int MAGENTA = 0xff00ff;
    /** Pixels (of background beside the head, or of head beside background) that count as an opening's rim. */
    private static final int SEAM = 3;

    @ParameterizedTest
    @ValueSource(strings = {"mara", "ilse", "bram"}) // Tomas wears the ARKit head: no sockets
    void socketsShowOnlyThroughTheEyeOpenings(String character) throws Exception {
        Displays.require();
        File dir = Path.of("target", "eye-sockets", character).toFile();
        float[] shots = new float[YAWS.length];
        for (int i = 0; i < shots.length; i++) {
            shots[i] = 0.5f + 0.3f * i; // the line starts at 0.6 s: the head turns and the face moves as she talks
        }
        FaceCloseUp app = new FaceCloseUp(dir, character, "bilabial-pie", 0.45f, shots)
                .background(ColorRGBA.Magenta).orbitWithAndWithoutSockets(YAWS);
        app.start();
        if (!app.awaitExit(300)) {
            app.stop();
            fail("the close-up did not finish within 300 s");
        }
        int bad = 0;
        int seen = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < shots.length; i++) {
            BufferedImage image = ImageIO.read(new File(dir, String.format("shot-%02d.png", i)));
            int[] counts = strayPixels(image);
            bad += counts[0];
            seen += counts[1];
            report.append(String.format("yaw %.0f: %d of %d; ", YAWS[i], counts[0], counts[1]));
        }
        System.out.println(character + ": socket pixels off the eye openings: " + report);
        assertTrue(seen > 0, "the sockets never showed, so nothing was checked: " + report);
        assertEquals(0, bad, character + ": socket pixels over the head or outside it: " + report);
    }

    /**
     * @param image left half without the sockets, right half with them
     * @return the socket pixels that are not in a hole through the head or on its rim, and all socket pixels
     */
    private static int[] strayPixels(BufferedImage image) {
        int w = image.getWidth() / 2;
        int h = image.getHeight();
        boolean[] head = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                head[y * w + x] = (image.getRGB(x, y) & 0xffffff) != MAGENTA;
            }
        }
        boolean[] nearHead = near(head, w, h, true);
        boolean[] nearBackground = near(head, w, h, false);
        boolean[] outside = outside(nearHead, w, h);
        int stray = 0;
        int sockets = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int without = image.getRGB(x, y) & 0xffffff;
                int with = image.getRGB(x + w, y) & 0xffffff;
                // background in the right half is never socket
                if (with != MAGENTA && differ(without, with)) {
                    sockets++;
                    int i = y * w + x;
                    if (head[i] ? !nearBackground[i] : outside[i]) {
                        stray++;
                    }
                }
            }
        }
        return new int[] {stray, sockets};
    }

    /** The pixels within {@link #SEAM} of a pixel whose {@code head} is {@code of}. */
    private static boolean[] near(boolean[] head, int w, int h, boolean of) {
        boolean[] out = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (head[y * w + x] != of) {
                    continue;
                }
                for (int dy = Math.max(-SEAM, -y); dy <= SEAM && y + dy < h; dy++) {
                    for (int dx = Math.max(-SEAM, -x); dx <= SEAM && x + dx < w; dx++) {
                        out[(y + dy) * w + x + dx] = true;
                    }
                }
            }
        }
        return out;
    }

    private static boolean differ(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((a >> shift & 0xff) - (b >> shift & 0xff)) > 12) {
                return true;
            }
        }
        return false;
    }

    /**
     * The background connected to the border more than {@link #SEAM} pixels from the head: outside the head's
     * outline (an eye's corner on the outline opens onto the background through a seam).
     */
    private static boolean[] outside(boolean[] nearHead, int w, int h) {
        boolean[] out = new boolean[w * h];
        Deque<int[]> todo = new ArrayDeque<>();
        for (int x = 0; x < w; x++) {
            todo.add(new int[] {x, 0});
            todo.add(new int[] {x, h - 1});
        }
        for (int y = 0; y < h; y++) {
            todo.add(new int[] {0, y});
            todo.add(new int[] {w - 1, y});
        }
        while (!todo.isEmpty()) {
            int[] q = todo.poll();
            int x = q[0];
            int y = q[1];
            if (x < 0 || y < 0 || x >= w || y >= h || out[y * w + x] || nearHead[y * w + x]) {
                continue;
            }
            out[y * w + x] = true;
            todo.add(new int[] {x + 1, y});
            todo.add(new int[] {x - 1, y});
            todo.add(new int[] {x, y + 1});
            todo.add(new int[] {x, y - 1});
        }
        return out;
    }
}
