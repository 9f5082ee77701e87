package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.Line;
import dev.parley.app.SpeechStream;
import dev.parley.sampler.SamplerKind;
import dev.parley.testing.HeadlessApp;
import org.junit.jupiter.api.Test;

/**
 * The panel's sampler and streaming switches (issue 18): a line on the 10-step teacher or the pack's distilled
 * student, and a line fed as 20 ms chunks that runs on the pack's stream model, on the real pack.
 */
class DemoSamplerStreamTest {

    @Test
    void theSwitchesPickTheTeacherTheStudentAndTheStreamModel() throws Exception {
        try (HeadlessApp app = HeadlessApp.start(30)) {
            CastState cast = new CastState();
            app.call(() -> app.getStateManager().attach(cast));
            assertTrue(app.await(60, cast::isInitialized), "the cast is built");
            CastMember member = app.call(() -> cast.speakers().get(0));
            DialogueLines.Line line = app.call(() -> cast.line(member.profile().voiceLine()));

            Line student = app.call(() -> {
                cast.speak(0, line, new SpeechSettings(member.style(), 1.5f, 1.5f, 0f, 10, true, false));
                return member.talker().getLine();
            });
            assertNull(student.options().sampler(), "on: the pack's default sampler");
            assertTrue(app.await(60, () -> student.lastSteps() > 0), "the student's first window");
            assertEquals(2, student.lastSteps(), "the pack's distilled student runs 2 steps");
            assertNull(app.call(() -> cast.streamOf(0)), "a pre-recorded line is not streamed");

            Line teacher = app.call(() -> {
                cast.speak(0, line, new SpeechSettings(member.style(), 1.5f, 1.5f, 0f, 10, false, false));
                return member.talker().getLine();
            });
            assertEquals(SamplerKind.DDIM, teacher.options().sampler(), "off: the guided teacher");
            assertFalse(teacher.onStreamModel());

            SpeechStream stream = app.call(() -> {
                cast.speak(0, line, new SpeechSettings(member.style(), 1.5f, 1.5f, 0f, 10, true, true));
                return cast.streamOf(0);
            });
            assertNotNull(stream, "streamed: fed in chunks");
            Line streamed = stream.line();
            assertTrue(app.await(60, () -> streamed.state() == Line.State.SPEAKING), "the streamed line starts");
            assertTrue(streamed.onStreamModel(), "a stream runs on the pack's stream model");
            assertTrue(stream.samplesWritten() > 0);
            assertTrue(app.await(60, stream::isFinished), "the whole line is written, then finished");
            assertTrue(app.await(60, () -> streamed.state() == Line.State.FINISHED), "and it plays to its end: "
                    + streamed);
            assertNull(app.call(() -> cast.streamOf(0)), "nothing left to feed");
        }
    }
}
