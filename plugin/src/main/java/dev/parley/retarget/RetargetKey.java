package dev.parley.retarget;

import com.jme3.asset.AssetKey;
import com.jme3.asset.AssetManager;
import dev.parley.util.Validate;

/**
 * The asset key for {@code *.retarget.json} files. It routes them to {@link RetargetLoader} without
 * claiming every {@code .json} file of the game for Parley. A loaded set is immutable, so the asset
 * manager's cache shares it between characters.
 */
public class RetargetKey extends AssetKey<RetargetSet> {

    /** The loader extension retarget sets are registered under. */
    public static final String EXTENSION = "parleyretarget";

    /**
     * @param path the set's asset path, e.g. {@code Retargets/arkit52.retarget.json} (not null, not empty)
     */
    public RetargetKey(String path) {
        super(Validate.nonEmpty(path, "path"));
    }

    /** For serialization only. */
    public RetargetKey() {
        super();
    }

    @Override
    public String getExtension() {
        return EXTENSION;
    }

    /**
     * Registers {@link RetargetLoader} with an asset manager. Safe to call more than once.
     *
     * @param assetManager the asset manager (not null)
     */
    public static void register(AssetManager assetManager) {
        Validate.nonNull(assetManager, "assetManager").registerLoader(RetargetLoader.class, EXTENSION);
    }
}
