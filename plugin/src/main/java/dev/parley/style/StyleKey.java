package dev.parley.style;

import com.jme3.asset.AssetKey;
import com.jme3.asset.AssetManager;
import dev.parley.util.Validate;

/**
 * The asset key for {@code *.style.json} files. It routes them to {@link StyleLoader} without
 * claiming every {@code .json} file of the game for Parley.
 */
public class StyleKey extends AssetKey<Style> {

    /** The loader extension styles are registered under. */
    public static final String EXTENSION = "parleystyle";

    /**
     * @param path the style's asset path, e.g. {@code Styles/guard.style.json} (not null)
     */
    public StyleKey(String path) {
        super(Validate.nonEmpty(path, "path"));
    }

    /** For serialization only. */
    public StyleKey() {
        super();
    }

    @Override
    public String getExtension() {
        return EXTENSION;
    }

    /**
     * Registers {@link StyleLoader} with an asset manager. Safe to call more than once.
     *
     * @param assetManager the asset manager (not null)
     */
    public static void register(AssetManager assetManager) {
        Validate.nonNull(assetManager, "assetManager").registerLoader(StyleLoader.class, EXTENSION);
    }
}
