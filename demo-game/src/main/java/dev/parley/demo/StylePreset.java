package dev.parley.demo;

import dev.parley.util.Validate;
import java.util.List;
import java.util.Map;

/**
 * A named speaking style as the demo offers it. Until the style preset library ships, presets are
 * names with a small flavour the energy jaw can show: how wide the jaw opens, expressions held while
 * talking, and expressions that follow loudness. A model driver uses {@link #name()} to find the
 * preset's {@code .style.json}.
 *
 * @param name the preset's name, e.g. {@code cheerful} (not null)
 * @param jawGain how far the energy jaw opens relative to neutral (&gt;0)
 * @param held expression name to weight, held while talking (not null)
 * @param withLoudness expression name to weight at full loudness (not null)
 */
public record StylePreset(String name, float jawGain, Map<String, Float> held, Map<String, Float> withLoudness) {

    /** The built-in presets. */
    public static final List<StylePreset> BUILT_IN = List.of(
            new StylePreset("calm", 0.75f, Map.of("mouth_corners_up", 0.12f), Map.of()),
            new StylePreset("animated", 1.3f, Map.of(), Map.of("brow_inner_raise", 0.7f, "brow_outer_raise", 0.5f, "eye_wide_L", 0.3f, "eye_wide_R", 0.3f)),
            new StylePreset("stern", 0.8f, Map.of("brow_lower", 0.55f, "lip_press", 0.2f), Map.of("jaw_clench", 0.3f)),
            new StylePreset("nervous", 0.9f, Map.of("brow_inner_raise", 0.5f, "lip_stretch_L", 0.15f, "lip_stretch_R", 0.15f), Map.of("brow_inner_raise", 0.3f)),
            new StylePreset("cheerful", 1.1f, Map.of("mouth_corners_up", 0.55f, "cheek_raise", 0.3f), Map.of("brow_outer_raise", 0.35f)));

    /** Validates the fields. */
    public StylePreset {
        Validate.nonEmpty(name, "name");
        if (!(jawGain > 0f)) {
            throw new IllegalArgumentException("jawGain must be > 0 but is " + jawGain);
        }
        held = Map.copyOf(Validate.nonNull(held, "held"));
        withLoudness = Map.copyOf(Validate.nonNull(withLoudness, "withLoudness"));
    }

    /**
     * @param name a preset name (not null)
     * @return the built-in preset of that name
     * @throws IllegalArgumentException listing the presets if there is none
     */
    public static StylePreset named(String name) {
        for (StylePreset p : BUILT_IN) {
            if (p.name.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no style preset '" + name + "'; presets: " + BUILT_IN.stream().map(StylePreset::name).toList());
    }

    /**
     * @param name a preset name (not null)
     * @return the preset's style asset for the model, {@code Styles/<name>.style.json}
     */
    public static String assetPath(String name) {
        return "Styles/" + Validate.nonEmpty(name, "name") + ".style.json";
    }

    @Override
    public String toString() {
        return name;
    }
}
