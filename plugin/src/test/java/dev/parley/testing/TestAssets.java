package dev.parley.testing;

import com.jme3.asset.AssetManager;
import com.jme3.asset.DesktopAssetManager;
import com.jme3.asset.plugins.FileLocator;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's {@code assets/} folder and builds asset managers over it for tests. */
public final class TestAssets {

    /** The head's asset folder, relative to {@code assets/}. */
    public static final String HEAD_DIR = "Models/ParleyHead/";
    /** The head model's asset path. */
    public static final String HEAD_MODEL = HEAD_DIR + "ParleyHead.glb";
    /** The head spec's asset path. */
    public static final String HEAD_SPEC = HEAD_DIR + "ParleyHead.spec.json";

    private TestAssets() {
    }

    /** @return the repository root (from the {@code parley.root} property Maven sets, else found upward) */
    public static Path root() {
        String prop = System.getProperty("parley.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "assets"))) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("assets"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository's assets/ folder; set -Dparley.root");
        }
        return p;
    }

    /** @return the {@code assets/} folder (not null) */
    public static Path assets() {
        return root().resolve("assets");
    }

    /** @return a new desktop asset manager that also reads {@code assets/} (not null) */
    public static AssetManager assetManager() {
        return assetManager(assets());
    }

    /**
     * @param folder the folder to read assets from, e.g. a test's temporary folder (not null)
     * @return a new desktop asset manager that also reads that folder (not null)
     */
    public static AssetManager assetManager(Path folder) {
        DesktopAssetManager am = new DesktopAssetManager(true);
        am.registerLocator(folder.toString(), FileLocator.class);
        return am;
    }
}
