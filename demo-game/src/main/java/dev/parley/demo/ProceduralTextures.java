package dev.parley.demo;

import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import com.jme3.texture.Image;
import com.jme3.texture.Texture;
import com.jme3.texture.Texture2D;
import com.jme3.texture.image.ColorSpace;
import com.jme3.util.BufferUtils;
import java.nio.ByteBuffer;
import java.util.Random;

/** Small seeded textures for the courtyard, made in code so the demo ships no image files. */
final class ProceduralTextures {

    private ProceduralTextures() {
    }

    /**
     * Rounded cobblestones in irregular rows, grey-brown with dark mortar.
     *
     * @param size texture size in pixels (power of two)
     * @param seed the random seed
     * @return a new repeating texture (not null)
     */
    static Texture2D cobbles(int size, long seed) {
        Random rnd = new Random(seed);
        int rows = 8;
        float[] shade = new float[rows * 16];
        float[] offsets = new float[rows];
        for (int i = 0; i < shade.length; i++) {
            shade[i] = 0.75f + 0.35f * rnd.nextFloat();
        }
        for (int r = 0; r < rows; r++) {
            offsets[r] = rnd.nextFloat();
        }
        return texture(size, (u, v) -> {
            float fy = v * rows;
            int row = (int) fy;
            float cols = 6f;
            float fx = u * cols + offsets[row % rows];
            int col = (int) Math.floor(fx);
            float dx = (fx - col) - 0.5f;
            float dy = (fy - row) - 0.5f;
            float d = Math.max(Math.abs(dx) * 1.15f, Math.abs(dy));
            float edge = smooth(0.5f, 0.36f, d);       // 1 inside a stone, 0 in the mortar
            float dome = 1f - 0.6f * (dx * dx + dy * dy);  // lit top of the stone
            float s = shade[(row * 16 + Math.floorMod(col, (int) cols)) % shade.length];
            float grain = 0.92f + 0.08f * hash(u * 97.1f, v * 131.7f);
            ColorRGBA stone = new ColorRGBA(0.58f * s, 0.54f * s, 0.49f * s, 1f).multLocal(dome * grain);
            ColorRGBA mortar = new ColorRGBA(0.2f, 0.19f, 0.17f, 1f);
            return mortar.interpolateLocal(stone, edge);
        });
    }

    /**
     * Lime plaster with soft stains.
     *
     * @param size texture size in pixels (power of two)
     * @param base the plaster colour (not null, unaffected)
     * @return a new repeating texture (not null)
     */
    static Texture2D plaster(int size, ColorRGBA base) {
        return texture(size, (u, v) -> {
            float n = 0.5f * valueNoise(u * 6f, v * 6f) + 0.3f * valueNoise(u * 19f, v * 19f)
                    + 0.2f * hash(u * 211f, v * 197f);
            float f = 0.86f + 0.2f * n - 0.1f * (float) Math.pow(1f - v, 6);
            return base.mult(f).setAlpha(1f);
        });
    }

    /**
     * Wood planks along u.
     *
     * @param size texture size in pixels (power of two)
     * @param base the wood colour (not null, unaffected)
     * @return a new repeating texture (not null)
     */
    static Texture2D planks(int size, ColorRGBA base) {
        return texture(size, (u, v) -> {
            float plank = v * 4f;
            float seam =
                    smooth(0f, 0.06f,
                    Math.min(plank - (float) Math.floor(plank), 1f - (plank - (float) Math.floor(plank))));
            float grain = 0.85f + 0.15f * (float) Math.sin(40f * u + 6f * valueNoise(u * 3f, plank));
            return base.mult(grain * (0.35f + 0.65f * seam)).setAlpha(1f);
        });
    }

    /**
     * A plain weave in grey, to multiply a cloth colour with: fine threads and a few slubs.
     *
     * @param size texture size in pixels (power of two)
     * @return a new repeating texture (not null)
     */
    static Texture2D fabric(int size) {
        return texture(size, (u, v) -> {
            float warp = 0.5f + 0.5f * (float) Math.sin(u * size * FastMath.PI * 0.5f);
            float weft = 0.5f + 0.5f * (float) Math.sin(v * size * FastMath.PI * 0.5f);
            float f = 0.84f + 0.08f * (warp * weft) + 0.08f * valueNoise(u * 16f, v * 64f)
                    - 0.05f * valueNoise(u * 5f, v * 5f);
            return new ColorRGBA(f, f, f, 1f);
        });
    }

    private interface Shader {
        ColorRGBA color(float u, float v);
    }

    private static Texture2D texture(int size, Shader shader) {
        ByteBuffer data = BufferUtils.createByteBuffer(size * size * 3);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                ColorRGBA c = shader.color((x + 0.5f) / size, (y + 0.5f) / size);
                data.put(toByte(c.r)).put(toByte(c.g)).put(toByte(c.b));
            }
        }
        data.flip();
        Texture2D tex = new Texture2D(new Image(Image.Format.RGB8, size, size, data, ColorSpace.sRGB));
        tex.setWrap(Texture.WrapMode.Repeat);
        tex.setMinFilter(Texture.MinFilter.Trilinear);
        // Anisotropy: 0 leaves it to the renderer's default, which ParleyDemo sets (off in software rendering).
        tex.setAnisotropicFilter(0);
        return tex;
    }

    private static byte toByte(float f) {
        return (byte) Math.round(255f * Math.max(0f, Math.min(1f, f)));
    }

    private static float smooth(float edge0, float edge1, float x) {
        float t = Math.max(0f, Math.min(1f, (x - edge0) / (edge1 - edge0)));
        return t * t * (3f - 2f * t);
    }

    private static float hash(float x, float y) {
        double h = Math.sin(x * 12.9898 + y * 78.233) * 43758.5453;
        return (float) (h - Math.floor(h));
    }

    /** Smooth value noise that tiles with period 1 in u and v at integer frequencies. */
    private static float valueNoise(float x, float y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        float tx = x - x0;
        float ty = y - y0;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        float a = hash(x0, y0);
        float b = hash(x0 + 1, y0);
        float c = hash(x0, y0 + 1);
        float d = hash(x0 + 1, y0 + 1);
        return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
    }
}
