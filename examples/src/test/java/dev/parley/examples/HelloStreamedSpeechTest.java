package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.Line;
import org.junit.jupiter.api.Test;

/**
 * {@link HelloStreamedSpeech} rendered for real: the streamed line (fed in 100 ms chunks by a thread)
 * moves the lit head's mouth, starts only once a second of audio has arrived, and plays out once the
 * stream ends.
 */
class HelloStreamedSpeechTest {

    @Test
    void aStreamedLineMovesTheMouthAndPlaysOut() throws Exception {
        Line line = ExampleRun.assertCharactersTalk(new HelloStreamedSpeech(), "hello-streamed-speech", 1).get(0);
        assertEquals(Line.State.FINISHED, line.state(), "the streamed line played out: " + line.error());
        // A second of audio (ServiceSettings.streamChunkFrames) is there with the tenth chunk, 0.9 s in.
        assertTrue(line.startLatency() >= 0.9f, "the face waits for a second of audio: " + line.startLatency() + " s");
    }
}
