package dev.parley.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jme3.asset.AssetInfo;
import com.jme3.asset.AssetKey;
import com.jme3.asset.AssetManager;
import com.jme3.asset.AssetNotFoundException;
import dev.parley.util.AssetFormatException;
import dev.parley.util.JsonFields;
import dev.parley.util.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The demo's dialogue lines, {@code Sounds/Dialogue/lines.json}, written with the OGG files by
 * {@code python3 -m parley dialogue-lines}.
 */
public final class DialogueLines {

    /** The listing's asset path. */
    public static final String LISTING = "Sounds/Dialogue/lines.json";

    /**
     * One line.
     *
     * @param id a short id such as {@code greeting}
     * @param text what is said
     * @param voice the TTS voice that said it, {@code engine:name}
     * @param assetPath the OGG file's asset path
     * @param seconds the duration
     */
    public record Line(String id, String text, String voice, String assetPath, float seconds) {
        @Override
        public String toString() {
            return text.length() > 44 ? text.substring(0, 42) + "..." : text;
        }
    }

    private DialogueLines() {
    }

    /**
     * @param assetManager reads the listing (not null)
     * @return the lines in listing order (not null, not empty, unmodifiable)
     * @throws AssetNotFoundException if the listing is missing (run {@code python3 -m parley dialogue-lines})
     * @throws AssetFormatException if it is malformed
     */
    public static List<Line> load(AssetManager assetManager) {
        Validate.nonNull(assetManager, "assetManager");
        AssetInfo info = assetManager.locateAsset(new AssetKey<>(LISTING));
        if (info == null) {
            throw new AssetNotFoundException("Dialogue listing '" + LISTING + "' was not found; generate it with "
                    + "'cd models && python3 -m parley dialogue-lines'");
        }
        JsonNode root;
        try (InputStream in = info.openStream()) {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new AssetFormatException(LISTING, "", "cannot be read: " + e, e);
        }
        JsonFields f = new JsonFields(LISTING);
        JsonNode lines = f.array(root, "lines", "lines", -1);
        if (lines.isEmpty()) {
            throw new AssetFormatException(LISTING, "lines", "is empty");
        }
        String folder = LISTING.substring(0, LISTING.lastIndexOf('/') + 1);
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode l = lines.get(i);
            String p = "lines[" + i + "]";
            out.add(new Line(f.string(l, "id", p + ".id"), f.string(l, "text", p + ".text"),
                    f.string(l, "voice", p + ".voice"),
                    folder + f.string(l, "file", p + ".file"), f.number(l, "seconds", p + ".seconds")));
        }
        return Collections.unmodifiableList(out);
    }
}
