package dev.parley.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import dev.parley.util.Validate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's characters as assets, one {@code assets/Characters/<id>.character.json} each:
 * <pre>{"format":"parley-demo-character","version":1,"order":0,"name":"Mara, innkeeper","style":"cheerful",
 *  "voiceLine":"greeting","beta":[20 floats],"position":[x,y,z],"facing":[x,y,z],"outfit":[r,g,b,a],
 *  "grooming":{"hair":"bun","beard":"none","hairColor":[r,g,b],"skinTint":[r,g,b],"irisColor":[r,g,b],"age":0.3}}</pre>
 * {@code grooming} is optional (see {@link Grooming}).
 * {@code style} names a preset of the style library ({@code Styles/<style>.style.json}). Optional
 * {@code "rig":"arkit52","model":"Models/ArkitHead/ArkitHead.glb"} puts the character on another head than the open
 * FLAME one (see {@link CharacterProfile#rig()}). The panel's
 * "Save style" rewrites a character's file with its new style; the next start reads it back.
 */
public final class CharacterAssets {

    /** The format tag. */
    public static final String FORMAT = "parley-demo-character";
    /** The folder under the assets folder. */
    public static final String FOLDER = "Characters";
    /** The file suffix. */
    public static final String SUFFIX = ".character.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A character read from its file.
     *
     * @param file where it lives (not null)
     * @param profile who it is (not null)
     */
    public record Entry(Path file, CharacterProfile profile) {
    }

    private CharacterAssets() {
    }

    /**
     * Reads every character in a folder, in their {@code order}.
     *
     * @param folder the characters folder (not null)
     * @return the characters (not null; empty if the folder does not exist)
     * @throws IllegalArgumentException naming the file and field of a broken character
     */
    public static List<Entry> load(Path folder) {
        Validate.nonNull(folder, "folder");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        List<Entry> out = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (Path f : files) {
            try {
                JsonNode root = JSON.readTree(f.toFile());
                if (!FORMAT.equals(root.path("format").asText())) {
                    throw new IllegalArgumentException("format: expected '" + FORMAT + "'");
                }
                CharacterProfile p = new CharacterProfile(root.get("name").asText(), floats(root, "beta", -1),
                        root.get("style").asText(),
                        vector(root, "position"), vector(root, "facing"), color(root), root.get("voiceLine").asText(),
                        text(root, "rig"), text(root, "model"), Grooming.read(root.get("grooming")));
                int o = root.path("order").asInt(out.size());
                int at = 0;
                while (at < order.size() && order.get(at) <= o) {
                    at++;
                }
                order.add(at, o);
                out.add(at, new Entry(f, p));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("character " + f + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Writes a character.
     *
     * @param profile who (not null)
     * @param order its place in the cast (&ge;0)
     * @param file where (not null; parent folders are made)
     */
    public static void save(CharacterProfile profile, int order, Path file) {
        Validate.nonNull(profile, "profile");
        Validate.nonNull(file, "file");
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("version", 1).put("order", order).put("name", profile.name())
                .put("style", profile.style())
                .put("voiceLine", profile.voiceLine());
        if (profile.rig() != null) {
            root.put("rig", profile.rig()).put("model", profile.model());
        }
        ArrayNode beta = root.putArray("beta");
        for (float b : profile.beta()) {
            beta.add(b);
        }
        root.putArray("position").add(profile.position().x).add(profile.position().y).add(profile.position().z);
        root.putArray("facing").add(profile.facing().x).add(profile.facing().y).add(profile.facing().z);
        ColorRGBA c = profile.outfit();
        root.putArray("outfit").add(c.r).add(c.g).add(c.b).add(c.a);
        if (!Grooming.NONE.equals(profile.grooming())) {
            profile.grooming().write(root.putObject("grooming"));
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write character " + file, e);
        }
    }

    /**
     * Rewrites a character's file with another style, keeping everything else.
     *
     * @param entry the character as read (not null)
     * @param style the style preset's name (not null, not empty)
     * @param order its place in the cast (&ge;0)
     * @return the character with the new style (not null)
     */
    public static Entry saveStyle(Entry entry, String style, int order) {
        Validate.nonNull(entry, "entry");
        CharacterProfile changed = entry.profile().withStyle(Validate.nonEmpty(style, "style"));
        save(changed, order, entry.file());
        return new Entry(entry.file(), changed);
    }

    private static float[] floats(JsonNode root, String field, int length) {
        JsonNode a = root.get(field);
        if (a == null || !a.isArray() || length >= 0 && a.size() != length) {
            throw new IllegalArgumentException(field + ": expected an array"
                    + (length >= 0 ? " of " + length + " numbers" : ""));
        }
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    /** An optional text field: null if absent. */
    private static String text(JsonNode root, String field) {
        JsonNode t = root.get(field);
        if (t != null && !t.isTextual()) {
            throw new IllegalArgumentException(field + ": expected a string but got " + t);
        }
        return t == null ? null : t.asText();
    }

    private static Vector3f vector(JsonNode root, String field) {
        float[] v = floats(root, field, 3);
        return new Vector3f(v[0], v[1], v[2]);
    }

    private static ColorRGBA color(JsonNode root) {
        float[] v = floats(root, "outfit", 4);
        return new ColorRGBA(v[0], v[1], v[2], v[3]);
    }
}
