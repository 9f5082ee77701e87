package dev.parley.examples;

import org.junit.jupiter.api.Test;

/**
 * {@link HelloTalkingHead}, the README's getting-started, rendered for real: the head is on screen and
 * lit, and its mouth while it says the line differs from the mouth idling afterwards far more than two
 * idle frames differ.
 */
class HelloTalkingHeadTest {

    @Test
    void theHeadIsLitAndItsMouthMovesWithTheLine() throws Exception {
        ExampleRun.assertCharactersTalk(new HelloTalkingHead(), "hello-talking-head", 1);
    }
}
