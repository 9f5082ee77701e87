package dev.parley.app;

/**
 * Hears about a character's lines. Called on the render thread, during the character's update.
 * Every method has an empty default: implement what you need.
 */
public interface LineListener {

    /**
     * The face started moving with the line (its first frames are ready; for {@code say(AudioNode)}
     * the audio starts now too).
     *
     * @param head the character (not null)
     * @param line the line (not null)
     */
    default void started(TalkingHead head, Line line) {
    }

    /**
     * The line ended: played to the end, or stopped ({@link Line#state()} tells which). Stopping
     * includes detaching the character and detaching Parley or closing the application; then this is
     * called at once, from that call.
     *
     * @param head the character (not null)
     * @param line the line (not null)
     */
    default void finished(TalkingHead head, Line line) {
    }

    /**
     * The line could not be animated: bad audio, a fault in the model, a missing or mismatched pack or
     * style, a rig that could not be bound, a character detached before the line, Parley detached, or
     * a stream that went without audio for {@code ServiceSettings.streamIdleTimeout} before its finish.
     * The face returns to idle; other characters are unaffected.
     *
     * @param head the character (not null)
     * @param line the line, or null for a failure not tied to a line (binding the rig)
     * @param error what went wrong, in words a person can act on (not null)
     */
    default void failed(TalkingHead head, Line line, Exception error) {
    }
}
