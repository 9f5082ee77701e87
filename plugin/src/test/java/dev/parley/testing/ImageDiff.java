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

    /**
     * How much of a region is drawn over a plain background: the fraction of pixels whose channels
     * differ from the background colour by more than a tolerance.
     *
     * @param image the image (not null, unaffected)
     * @param r the region (not null, inside the image)
     * @param background the background's RGB (alpha ignored)
     * @param tolerance the largest per-channel difference still counted as background, in 0-255 levels
     * @return the fraction in [0, 1]
     */
    public static double coverage(BufferedImage image, Rectangle r, int background, int tolerance) {
        int covered = 0;
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                int p = image.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    if (Math.abs(((p >> s) & 0xff) - ((background >> s) & 0xff)) > tolerance) {
                        covered++;
                        break;
                    }
                }
            }
        }
        return r.width * r.height == 0 ? 0 : covered / (double) (r.width * r.height);
    }

    /**
     * @param image the image (not null, unaffected)
     * @param r the region (not null, inside the image)
     * @return the mean luma (Rec. 601 weights) over the region, in 0-255 levels
     */
    public static double meanLuma(BufferedImage image, Rectangle r) {
        double sum = 0;
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                int p = image.getRGB(x, y);
                sum += 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
            }
        }
        return r.width * r.height == 0 ? 0 : sum / (r.width * r.height);
    }
}
