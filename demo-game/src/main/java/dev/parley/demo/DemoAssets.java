package dev.parley.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's {@code assets/} folder for the demo. */
final class DemoAssets {

    private DemoAssets() {
    }

    /** @return the default model pack's folder, {@code models/packs/parley-base-v1} beside the assets folder */
    static Path packFolder() {
        return folder().getParent().resolve("models/packs/parley-base-v1");
    }

    /** @return the assets folder: {@code -Dparley.root}/assets, else the nearest assets/ above the working directory */
    static Path folder() {
        String prop = System.getProperty("parley.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "assets"))) {
            return Path.of(prop, "assets");
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("assets/Models/ParleyHead"))) {
                return p.resolve("assets");
            }
            p = p.getParent();
        }
        throw new IllegalStateException("Cannot find Parley's assets/ folder: run from the repository or set "
                + "-Dparley.root");
    }
}
