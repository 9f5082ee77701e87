package dev.parley.tools;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's folders for the tools' defaults. */
final class Roots {

    private Roots() {
    }

    /**
     * @return {@code -Dparley.root}, else the nearest folder above the working directory holding {@code
     * assets/Models/ParleyHead}
     */
    static Path root() {
        String prop = System.getProperty("parley.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "assets"))) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("assets/Models/ParleyHead"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find Parley's repository root: run from the repository or set "
                + "-Dparley.root");
    }

    /** @return the repository's assets folder */
    static Path assets() {
        return root().resolve("assets");
    }

    /**
     * @return the corpus the presets come from: {@code corpus/full} under the repository root once its DONE marker
     *     exists, else {@code corpus/small} (where docs/corpus.md builds them)
     */
    static Path corpus() {
        Path full = root().resolve("corpus/full");
        return Files.isRegularFile(full.resolve("DONE")) ? full : root().resolve("corpus/small");
    }
}
