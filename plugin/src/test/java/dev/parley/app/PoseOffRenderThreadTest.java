package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.ParleyPack;
import dev.parley.pose.PoseAdapter;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.TestAssets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, the pose adapter running its audio encoder, PoseGPT and decoder on the render thread when a line
 * starts: a character with {@link MotionSource#withHeadPose} over the model says a line in a running application;
 * the adapter's graphs run on Parley's worker only, its own audio encoder never (the worker's features serve the
 * pose), and the pose is the adapter's own for the line.
 */
class PoseOffRenderThreadTest {

    private static HeadlessApp app;
    private static ParleyAppState parley;
    private static ParleyPack pack;
    private static PoseAdapter adapter;

    @BeforeAll
    static void start() throws Exception {
        app = HeadlessApp.start(60);
        parley = ParleyAppStateTest.attachParley(app);
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        adapter = PoseAdapter.load(TestAssets.root().resolve("models/packs/pose-adapter-v1"), pack);
    }

    @AfterAll
    static void stop() {
        app.close();
        adapter.close();
        pack.close();
    }

    @Test
    void aPosedCharactersLineRunsNoPoseInferenceOnTheRenderThread() throws Exception {
        float[] pcm = Golden.loadFolder(TestAssets.root().resolve("models/packs/pose-adapter-v1/golden"))
                .floats("pcm");
        int style = adapter.styleIndex("spk0009");
        HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
        TalkingHead head = app.call(() -> {
            Spatial model = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
            model.setName("Posed");
            app.getRootNode().attachChild(model);
            TalkingHead h = parley.attach(model, spec, null);
            h.setMotionSource(MotionSource.withHeadPose(MotionSource.model(), adapter, style));
            return h;
        });
        String render = app.call(() -> Thread.currentThread().getName());
        Line line = app.call(() -> head.say(pcm.clone(), 16000));
        assertTrue(app.await(60, () -> line.state() == Line.State.FINISHED), "line finished: " + line);

        String worker = parley.service().thread().getName();
        Map<String, Long> runs = adapter.runCounts();
        assertEquals(Set.of(PoseAdapter.GPT + "@" + worker, PoseAdapter.DECODER + "@" + worker), runs.keySet(),
                "the step graph and the decoder on the worker (not '" + render + "'), the adapter's encoder never");
        assertNull(line.job.headPose().failure());
        float[] pose = line.job.headPose().pose();
        assertNotNull(pose, "the line's pose");
        int frames = (pcm.length + adapter.samplesPerFrame() - 1) / adapter.samplesPerFrame();
        float[] expected = adapter.pose(Arrays.copyOf(pcm, frames * adapter.samplesPerFrame()), style);
        assertArrayEquals(expected, pose, 0f, "the adapter's own pose of the line");
    }
}
