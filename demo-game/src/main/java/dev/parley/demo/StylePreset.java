package dev.parley.demo;

import dev.parley.util.Validate;
import java.util.List;
import java.util.Map;

/**
 * A named speaking style as the demo offers it: the name of a preset in the style library
 * ({@code assets/Styles/<name>.style.json}, which the model driver loads), with a small flavour the
 * energy jaw can show: how wide the jaw opens, expressions held while talking, and expressions that
 * follow loudness. Presets without a built-in flavour get a neutral one.
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
            new StylePreset("animated", 1.3f, Map.of(),
                    Map.of("brow_inner_raise", 0.7f, "brow_outer_raise", 0.5f, "eye_wide_L", 0.3f, "eye_wide_R", 0.3f)),
            new StylePreset("stern", 0.8f, Map.of("brow_lower", 0.55f, "lip_press", 0.2f), Map.of("jaw_clench", 0.3f)),
            new StylePreset("nervous", 0.9f,
                    Map.of("brow_inner_raise", 0.5f, "lip_stretch_L", 0.15f, "lip_stretch_R", 0.15f),
                    Map.of("brow_inner_raise", 0.3f)),
            new StylePreset("cheerful", 1.1f, Map.of("mouth_corners_up", 0.55f, "cheek_raise", 0.3f),
                    Map.of("brow_outer_raise", 0.35f)));

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
     * @param name a preset name (not null, not empty)
     * @return the built-in preset of that name, else the name with a neutral energy-jaw flavour
     */
    public static StylePreset named(String name) {
        for (StylePreset p : BUILT_IN) {
            if (p.name.equals(name)) {
                return p;
            }
        }
        return new StylePreset(name, 1f, Map.of(), Map.of());
    }

    /**
     * The presets of the style library, in its order: the names in {@code Styles/presets.json} (written
     * by {@code parley-tool style presets}), else the built-in names.
     *
     * @param assets the assets folder (not null)
     * @return the presets (not null, not empty)
     */
    public static List<StylePreset> library(java.nio.file.Path assets) {
        java.nio.file.Path index = Validate.nonNull(assets, "assets").resolve("Styles/presets.json");
        if (!java.nio.file.Files.isRegularFile(index)) {
            return BUILT_IN;
        }
        try {
            var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(index.toFile());
            java.util.List<StylePreset> out = new java.util.ArrayList<>();
            root.get("presets").forEach(p -> out.add(named(p.get("name").asText())));
            return out.isEmpty() ? BUILT_IN : List.copyOf(out);
        } catch (java.io.IOException | RuntimeException e) {
            java.util.logging.Logger.getLogger(StylePreset.class.getName())
                    .warning("cannot read " + index + ": " + e.getMessage());
            return BUILT_IN;
        }
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
