package dev.parley.demo;

import dev.parley.util.Validate;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Makes the scripted mode's pictures from its screenshots: the hero shot (one dialogue frame, copied) and
 * the strip, a grid of close-ups at full resolution, one per dialogue frame: the speaker's lower face
 * above the listener's eyes, each tile stamped with its time.
 */
final class ShotStrip {

    /** Tiles per row. */
    static final int COLUMNS = 8;
    /** A tile's speaker crop, in pixels (unscaled, so the lips keep their on-screen width). */
    static final int FACE_W = 210;
    static final int FACE_H = 170;
    /** A tile's listener-eyes crop, in pixels. */
    static final int EYES_H = 56;

    private ShotStrip() {
    }

    /**
     * @param dir the scripted mode's folder, holding the screenshots (not null)
     * @param shots each screenshot's description as in {@code shots.json}, in order (not null)
     * @param first the index of the first dialogue frame in {@code shots}
     * @param hero the dialogue frame (counted from {@code first}) to copy as the hero shot
     * @throws UncheckedIOException if a screenshot cannot be read or a picture written
     */
    static void write(File dir, List<Map<String, Object>> shots, int first, int hero) {
        Validate.nonNull(dir, "dir");
        Validate.nonNull(shots, "shots");
        List<Map<String, Object>> frames = shots.subList(first, shots.size());
        try {
            Files.copy(new File(dir, file(frames.get(hero))).toPath(), new File(dir, ParleyDemo.HERO_FILE).toPath(),
                    StandardCopyOption.REPLACE_EXISTING);
            int rows = (frames.size() + COLUMNS - 1) / COLUMNS;
            int tileH = FACE_H + EYES_H + 4;
            BufferedImage strip = new BufferedImage(COLUMNS * (FACE_W + 4) + 4, rows * (tileH + 4) + 4,
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D g = strip.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(24, 26, 30));
            g.fillRect(0, 0, strip.getWidth(), strip.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            float t0 = ((Number) frames.get(0).get("time")).floatValue();
            for (int i = 0; i < frames.size(); i++) {
                Map<String, Object> shot = frames.get(i);
                BufferedImage image = ImageIO.read(new File(dir, file(shot)));
                int x = 4 + (i % COLUMNS) * (FACE_W + 4);
                int y = 4 + (i / COLUMNS) * (tileH + 4);
                int[] mouth = rect(shot, String.valueOf(shot.get("speaker")), "mouth");
                int cx = (mouth[0] + mouth[2]) / 2;
                // The lower face: nose to chin, the mouth a little below the middle.
                blit(g, image, cx - FACE_W / 2, (mouth[1] + mouth[3]) / 2 - FACE_H * 9 / 20, FACE_W, FACE_H, x, y);
                int[] eyes = rect(shot, String.valueOf(shot.get("listener")), "eyes");
                if (eyes != null) {
                    blit(g, image, (eyes[0] + eyes[2]) / 2 - FACE_W / 2, (eyes[1] + eyes[3]) / 2 - EYES_H / 2,
                            FACE_W, EYES_H, x, y + FACE_H + 4);
                }
                float ms = 1000f * (((Number) shot.get("time")).floatValue() - t0);
                g.setColor(Color.BLACK);
                g.drawString(String.format("+%.0f ms", ms), x + 5, y + 16);
                g.setColor(Color.WHITE);
                g.drawString(String.format("+%.0f ms", ms), x + 4, y + 15);
            }
            g.dispose();
            ImageIO.write(strip, "png", new File(dir, ParleyDemo.STRIP_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the strip in " + dir, e);
        }
    }

    private static String file(Map<String, Object> shot) {
        return String.valueOf(shot.get("file"));
    }

    /** A character's named rectangle in a shot's description, or null. */
    @SuppressWarnings("unchecked")
    private static int[] rect(Map<String, Object> shot, String name, String key) {
        for (Map<String, Object> c : (List<Map<String, Object>>) shot.get("characters")) {
            if (name.equals(c.get("name"))) {
                return (int[]) c.get(key);
            }
        }
        throw new IllegalArgumentException("no character '" + name + "' in shot " + file(shot));
    }

    /** Copies a rectangle of an image, clipped to it, to a place in the strip. */
    private static void blit(Graphics2D g, BufferedImage image, int sx, int sy, int w, int h, int dx, int dy) {
        int x0 = Math.max(0, sx);
        int y0 = Math.max(0, sy);
        int x1 = Math.min(image.getWidth(), sx + w);
        int y1 = Math.min(image.getHeight(), sy + h);
        if (x1 > x0 && y1 > y0) {
            g.drawImage(image.getSubimage(x0, y0, x1 - x0, y1 - y0), dx + x0 - sx, dy + y0 - sy, null);
        }
    }
}
