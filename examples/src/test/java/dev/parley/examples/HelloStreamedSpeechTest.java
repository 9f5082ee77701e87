package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.Line;
import org.junit.jupiter.api.Test;

/**
 * {@link HelloStreamedSpeech} rendered for real: the streamed line (fed in 100 ms chunks by a thread)
 * moves the lit head's mouth, runs on the pack's stream model, starts only once its first window's audio
 * (160 ms) has arrived, and plays out once the stream ends.
 */
class HelloStreamedSpeechTest {

    @Test
    void aStreamedLineMovesTheMouthAndPlaysOut() throws Exception {
        Line line = ExampleRun.assertCharactersTalk(new HelloStreamedSpeech(), "hello-streamed-speech", 1).get(0);
        assertEquals(Line.State.FINISHED, line.state(), "the streamed line played out: " + line.error());
        assertTrue(line.onStreamModel(), "a streamed line runs on the pack's stream model");
        // The first window's 4 frames (160 ms) are there with the second chunk, 0.1 s in.
        assertTrue(line.startLatency() >= 0.1f, "the face waits for its first window's audio: " + line.startLatency()
                + " s");
    }
}
