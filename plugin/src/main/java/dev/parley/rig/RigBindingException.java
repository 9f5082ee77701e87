package dev.parley.rig;

/**
 * A model lacks a control the rig needs. The message names what is missing and what was found
 * instead, e.g. {@code morph target 'lip_close' not found; morph targets found: [jawOpen, ...]}.
 */
public class RigBindingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is missing and what was found (not null)
     */
    public RigBindingException(String message) {
        super(message);
    }
}
