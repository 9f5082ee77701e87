package dev.parley.tools;

import dev.parley.util.Validate;
import java.util.Locale;

/**
 * Text from files (a style's {@code displayName}, a header, an archive's entry names) made safe to
 * print on a terminal: a crafted name must not move the cursor, recolour or clear the screen, or
 * reorder the text around it. Control characters (C0, DEL, C1) and Unicode bidirectional controls are
 * shown as {@code \xNN} / {@code \}{@code uNNNN}; everything else is kept.
 */
final class Printable {

    private Printable() {
    }

    /**
     * @param text text from a file (not null)
     * @return the text on one line, with every control character escaped (not null)
     */
    static String line(String text) {
        Validate.nonNull(text, "text");
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escape = escape(c);
            if (escape != null && sb == null) {
                sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (sb != null) {
                if (escape != null) {
                    sb.append(escape);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? text : sb.toString();
    }

    /**
     * @param text a message that may span lines (not null)
     * @return the text with every control character but the line feed escaped (not null)
     */
    static String lines(String text) {
        Validate.nonNull(text, "text");
        String[] parts = text.split("\n", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = line(parts[i]);
        }
        return String.join("\n", parts);
    }

    /** @return the escape for a character that must not reach a terminal, or null */
    private static String escape(char c) {
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
            return String.format(Locale.ROOT, "\\x%02X", (int) c);
        }
        if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c) {
            return String.format(Locale.ROOT, "\\u%04X", (int) c);
        }
        return null;
    }
}
