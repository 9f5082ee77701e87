package dev.parley.generation;

/**
 * A network produced NaN or infinity for a line, or its motion overflowed when de-normalised. The
 * message names the line, the network (or the manifest's normalisation), the window, the frame and
 * the value's index, e.g. {@code 'guard_03': denoiser produced NaN at window 2, frame 17, value 4}.
 */
public class NonFiniteMotionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming line, network and position (not null)
     */
    public NonFiniteMotionException(String message) {
        super(message);
    }
}
