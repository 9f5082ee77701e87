package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.jme3.math.ColorRGBA;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * No hole through the head at the eyes' corners (the speck at an eye corner of issue 20): Mara's eyes, close, in
 * front of a magenta background, at rest and while she talks and blinks; the middle of the frame is all face, so a
 * magenta pixel there is the background seen through the head.
 */
class EyeCornerRenderTest {

    @Test
    void theBackgroundNeverShowsThroughTheEyes() throws Exception {
        Displays.require();
        File dir = Path.of("target", "eye-corners").toFile();
        float[] shots = {0.3f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f};
        System.setProperty("faceCloseUp.lift", "0.09");
        FaceCloseUp app;
        try {
            app = new FaceCloseUp(dir, "mara", "bilabial-pie", 0.16f, shots).background(ColorRGBA.Magenta);
            app.start();
            if (!app.awaitExit(300)) {
                app.stop();
                fail("the close-up did not finish within 300 s");
            }
        } finally {
            System.clearProperty("faceCloseUp.lift");
        }
        int holes = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < shots.length; i++) {
            BufferedImage image = ImageIO.read(new File(dir, String.format("shot-%02d.png", i)));
            int count = 0;
            // the band of the eyes, inside the face's outline
            for (int y = image.getHeight() / 4; y < image.getHeight() * 3 / 4; y++) {
                for (int x = image.getWidth() / 10; x < image.getWidth() * 9 / 10; x++) {
                    int p = image.getRGB(x, y);
                    int r = p >> 16 & 0xff;
                    int g = p >> 8 & 0xff;
                    int b = p & 0xff;
                    if (r > 200 && b > 200 && g < 60) {
                        count++;
                    }
                }
            }
            holes += count;
            report.append("shot-").append(i).append(": ").append(count).append("; ");
        }
        System.out.println("background through the eye corners (pixels): " + report);
        assertEquals(0, holes, "background pixels seen through the head: " + report);
    }
}
