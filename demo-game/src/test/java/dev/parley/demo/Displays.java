package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The display check every demo test that opens a window makes first. */
final class Displays {

    private Displays() {
    }

    /** Skips without a display, or fails when -Dparley.requireDisplay=true (CI must not skip rendering). */
    static void require() {
        boolean hasDisplay = System.getenv("DISPLAY") != null && !System.getenv("DISPLAY").isEmpty();
        if (!hasDisplay && Boolean.getBoolean("parley.requireDisplay")) {
            fail("No DISPLAY: rendering tests must run under Xvfb (use scripts/test.sh)");
        }
        assumeTrue(hasDisplay, "No DISPLAY: rendering test skipped (run scripts/test.sh for Xvfb)");
    }
}
