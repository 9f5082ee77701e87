package dev.parley.pose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.features.LineAudio;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.ParleyPack;
import dev.parley.testing.Golden;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LinePose#make}, as the worker calls it: from a line's audio read without consuming it, with the adapter's
 * own encoder where the worker's is another; a line still arriving fails the request (published, not thrown); a
 * cancelled request runs nothing.
 */
class LinePoseTest {

    static ParleyPack pack;
    static PoseAdapter adapter;
    static float[] pcm;

    @BeforeAll
    static void load() {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        adapter = PoseAdapter.load(PoseAdapterTest.folder(), pack);
        pcm = Golden.loadFolder(PoseAdapterTest.folder().resolve("golden")).floats("pcm");
    }

    @AfterAll
    static void close() {
        adapter.close();
        pack.close();
    }

    private static LineAudio audio() {
        return LineAudio.clip("line", pcm.clone(), 16000, adapter.sampleRate(), adapter.samplesPerFrame());
    }

    @Test
    void withTheAdaptersOwnEncoderThePoseIsItsOwnAndTheAudioIsNotConsumed() {
        LinePose request = new LinePose(adapter, 5, "line");
        LineAudio audio = audio();
        assertNull(request.make(audio, null), "no features for the line's windows from the adapter's own session");
        int frames = (pcm.length + adapter.samplesPerFrame() - 1) / adapter.samplesPerFrame();
        assertArrayEquals(adapter.pose(Arrays.copyOf(pcm, frames * adapter.samplesPerFrame()), 5), request.pose(), 0f);
        assertTrue(request.isDone() && request.failure() == null);
        assertEquals(frames, audio.framesReady(Integer.MAX_VALUE), "every frame still there for the line's windows");
    }

    @Test
    void aLineStillArrivingFailsTheRequest() {
        LinePose request = new LinePose(adapter, 0, "streamed line");
        LineAudio stream = LineAudio.stream("streamed line", 16000, adapter.sampleRate(), adapter.samplesPerFrame());
        stream.write(pcm, 0, 16000);
        assertNull(request.make(stream, null));
        assertTrue(request.isDone());
        assertNull(request.pose());
        assertEquals("'streamed line': the pose adapter needs the whole line's audio but it is still arriving (a"
                + " streamed line keeps its model's head pose)", request.failure().getMessage());
    }

    @Test
    void aCancelledRequestRunsNothing() {
        LinePose request = new LinePose(adapter, 0, "line");
        request.cancel();
        long before = adapter.runCounts().values().stream().mapToLong(Long::longValue).sum();
        assertNull(request.make(audio(), null));
        assertEquals(before, adapter.runCounts().values().stream().mapToLong(Long::longValue).sum());
        assertTrue(!request.isDone() && request.isCancelled());
    }
}
