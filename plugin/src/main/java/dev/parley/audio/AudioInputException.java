package dev.parley.audio;

/**
 * Dialogue audio that cannot be used: corrupt, truncated, empty, silent or in an unsupported format.
 * The message names the line and the problem, e.g. {@code 'guard_03.wav': unsupported bit depth 12 (expected 8, 16, 24
 * or 32)}.
 */
public class AudioInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param source the line's name (not null)
     * @param problem what is wrong (not null)
     */
    public AudioInputException(String source, String problem) {
        super("'" + source + "': " + problem);
    }

    /**
     * @param source the line's name (not null)
     * @param problem what is wrong (not null)
     * @param cause the underlying exception (may be null)
     */
    public AudioInputException(String source, String problem, Throwable cause) {
        super("'" + source + "': " + problem, cause);
    }
}
