package dev.parley.testing;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;

/** Pixel comparisons for rendering tests. */
public final class ImageDiff {

    private ImageDiff() {
    }

    /**
     * @param a the first image (not null, unaffected)
     * @param b the second image, same size (not null, unaffected)
     * @param r the region to compare (not null, inside both images)
     * @return the mean absolute per-channel difference over the region, in 0-255 levels
     */
    public static double meanAbsDiff(BufferedImage a, BufferedImage b, Rectangle r) {
        long sum = 0;
        int n = 0;
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    sum += Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff));
                }
                n += 3;
            }
        }
        return n == 0 ? 0 : (double) sum / n;
    }
}
