package dev.parley.tools;

import dev.parley.pack.ParleyPack;
import dev.parley.style.Style;
import dev.parley.util.Validate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reference motion to a style with a pack's style encoder. The encoder sees a fixed
 * {@code style.frames} (100 frames, 4 s at 25 fps); a longer clip is cut into consecutive windows of
 * that length (the remainder after the last whole window is ignored), each is encoded, and the
 * embeddings are averaged and renormalised to unit length, as the encoder's own outputs are.
 */
public final class StyleExtraction {

    private StyleExtraction() {
    }

    /**
     * What {@link #extract} made.
     *
     * @param style the style (not null; belongs to the pack)
     * @param used the clips that gave at least one window (not null, not empty)
     * @param windows how many windows were encoded (&gt;0)
     * @param skipped one line per clip too short to use, naming it and its length (not null)
     */
    public record Extraction(Style style, List<MotionClip> used, int windows, List<String> skipped) {
    }

    /**
     * @param pack an open pack (not null)
     * @param displayName the style's name (not null, not empty)
     * @param source the style's source, for messages (not null)
     * @param clips reference clips of the pack's motion width (not null, not empty, unaffected)
     * @return the style with the clips used and skipped (not null)
     * @throws IllegalArgumentException naming the clip(s) if none has a whole window
     */
    public static Extraction extract(ParleyPack pack, String displayName, String source, List<MotionClip> clips) {
        Validate.nonNull(pack, "pack");
        Validate.nonEmpty(displayName, "displayName");
        Validate.nonNull(clips, "clips");
        int window = pack.manifest().styleFrames();
        float[] sum = new float[pack.manifest().styleDim()];
        int windows = 0;
        List<MotionClip> used = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (MotionClip clip : clips) {
            if (clip.frames() < window) {
                skipped.add(clip.source() + ": " + clip.frames() + " frames ("
                        + String.format(Locale.ROOT, "%.2f", clip.frames() / (float) MotionClip.FPS)
                        + " s) is too short: the style encoder of pack '" + pack.manifest().id() + "' needs at least "
                        + window + " frames (" + window / MotionClip.FPS + " s at " + MotionClip.FPS + " fps)");
                continue;
            }
            for (int start = 0; start + window <= clip.frames(); start += window) {
                float[] e = pack.extractStyle(displayName, clip.slice(start, window)).embedding();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += e[i];
                }
                windows++;
            }
            used.add(clip);
        }
        if (windows == 0) {
            throw new IllegalArgumentException(skipped.size() == 1 ? skipped.get(0)
                    : "no clip has " + window + " frames (" + window / MotionClip.FPS + " s) for the style encoder: "
                            + String.join("; ", skipped));
        }
        return new Extraction(new Style(source, displayName, pack.manifest().id(), normalised(sum)), List.copyOf(used),
                windows, List.copyOf(skipped));
    }

    /**
     * Blends styles in embedding space: the weighted sum, renormalised to unit length.
     *
     * @param displayName the blend's name (not null)
     * @param source for messages (not null)
     * @param styles the parents (not null, not empty, all of one pack and dimension)
     * @param weights one weight per parent (not null, same length, &ge;0, not all 0; normalised to sum 1)
     * @return the blend (not null)
     * @throws IllegalArgumentException naming the parent of another pack or dimension
     */
    public static Style blend(String displayName, String source, List<Style> styles, float[] weights) {
        Validate.nonNull(styles, "styles");
        Validate.nonNull(weights, "weights");
        if (styles.isEmpty() || styles.size() != weights.length) {
            throw new IllegalArgumentException("need one weight per style: " + styles.size() + " styles, "
                    + weights.length + " weights");
        }
        Style first = styles.get(0);
        float total = 0f;
        for (float w : weights) {
            if (!(w >= 0f) || !Float.isFinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0 but one is " + w);
            }
            total += w;
        }
        if (total <= 0f) {
            throw new IllegalArgumentException("weights must not all be 0");
        }
        float[] sum = new float[first.dimension()];
        for (int s = 0; s < styles.size(); s++) {
            Style style = styles.get(s);
            style.checkCompatible(first.packId(), first.dimension());
            float[] e = style.embedding();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += weights[s] / total * e[i];
            }
        }
        return new Style(source, displayName, first.packId(), normalised(sum));
    }

    /**
     * @param v a vector (not null, unaffected)
     * @return v / |v| (a new array)
     * @throws IllegalArgumentException if v is (nearly) zero: opposite styles cancel out
     */
    static float[] normalised(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        n = Math.sqrt(n);
        if (n < 1e-6) {
            throw new IllegalArgumentException("the blended embedding is (nearly) zero: the styles cancel out");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }
}
