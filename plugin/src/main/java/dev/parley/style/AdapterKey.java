package dev.parley.style;

import com.jme3.asset.AssetKey;
import com.jme3.asset.AssetManager;
import dev.parley.util.Validate;

/**
 * The asset key for {@code *.adapter} files: routes them to {@link AdapterLoader}.
 */
public class AdapterKey extends AssetKey<Adapter> {

    /** The loader extension adapters are registered under. */
    public static final String EXTENSION = "adapter";

    /**
     * @param path the adapter's asset path, e.g. {@code Adapters/Npc.adapter} (not null)
     */
    public AdapterKey(String path) {
        super(Validate.nonEmpty(path, "path"));
    }

    /** For serialization only. */
    public AdapterKey() {
        super();
    }

    /**
     * Registers {@link AdapterLoader} with an asset manager for {@code .adapter} files. Safe to call more
     * than once.
     *
     * @param assetManager the asset manager (not null)
     */
    public static void register(AssetManager assetManager) {
        Validate.nonNull(assetManager, "assetManager").registerLoader(AdapterLoader.class, EXTENSION);
    }
}
