package dev.parley.tools;

import dev.parley.util.Validate;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The tools' one-line progress bar on a terminal stream, redrawn in place ({@code \r}):
 * {@code [#########.....................] 3/10 label}. The caller ends the line when the work is done.
 */
final class ProgressBar {

    /** Characters of the bar between its brackets. */
    static final int WIDTH = 30;
    /** Characters the label is padded or cut to, so that a shorter label overwrites a longer one. */
    static final int LABEL = 40;

    private ProgressBar() {
    }

    /**
     * Draws the bar.
     *
     * @param stream where (not null; flushed)
     * @param done the work done (0 to total)
     * @param total the work in all; 0 or less draws an empty bar without counts (the total is not known yet)
     * @param label what is being done (not null; printed with control characters escaped)
     */
    static void print(PrintStream stream, int done, int total, String label) {
        Validate.nonNull(stream, "stream");
        String text = Printable.line(Validate.nonNull(label, "label"));
        int filled = total <= 0 ? 0 : (int) Math.min(WIDTH, Math.max(0, (long) done * WIDTH / total));
        String counts = total <= 0 ? "" : done + "/" + total + " ";
        stream.printf(Locale.ROOT, "\r[%s%s] %s%-" + LABEL + "s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                counts, text.length() > LABEL ? text.substring(0, LABEL) : text);
        stream.flush();
    }
}
