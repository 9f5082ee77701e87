package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.features.LineAudio;
import dev.parley.head.MotionLayout;
import dev.parley.motion.EnergyJaw;
import dev.parley.motion.MotionTrack;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.ParleyPack;
import dev.parley.pose.PoseAdapter;
import dev.parley.rig.RigNames;
import dev.parley.service.InferenceService;
import dev.parley.service.Networks;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestAssets;
import dev.parley.testing.Waits;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MotionSource#withHeadPose}: a character's line through the pose adapter gets the adapter's head pose
 * for its speech, frame by frame, and every other value of the base source's frames unchanged; a line it
 * cannot pose keeps the base's head, with a warning. The pose is made on a real inference service's worker: the
 * thread that drains the frames (the render thread's part) runs none of the adapter's graphs.
 */
class HeadPoseMotionTest {

    static ParleyPack pack;
    static PoseAdapter adapter;
    static InferenceService service;
    static final MotionSource BASE = MotionSource.energyJaw(new EnergyJaw.Tuning(1f, Map.of(), Map.of()));
    static final RigNames NAMES = RigNames.of(List.of("jawOpen", "mouthClose"), Map.of());

    @BeforeAll
    static void load() throws Exception {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        adapter = PoseAdapter.load(TestAssets.root().resolve("models/packs/pose-adapter-v1"), pack);
        service = new InferenceService(pack.manifest(), () -> Networks.of(pack), ServiceSettings.defaults(),
                "pose test inference");
        service.start();
        assertTrue(Waits.until(30, service::isReady), "service ready");
    }

    @AfterAll
    static void close() {
        service.close();
        adapter.close();
        pack.close();
    }

    private static LineStart start(float[] pcm, boolean streamed) {
        return new LineStart(null, new Line("posed line", LineOptions.DEFAULTS), NAMES,
                (rate, spf) -> LineAudio.clip("posed line", pcm, 16000, rate, spf), streamed, service);
    }

    /** Every frame of a motion, from its start to its end (waiting up to 30 s for the worker's frames). */
    private static float[] frames(MotionSource.Motion motion) throws InterruptedException {
        MotionTrack track = new MotionTrack(motion.layout(), 16);
        motion.setPlayhead(1000f);
        long end = System.nanoTime() + 30_000_000_000L;
        while (!motion.drainInto(track) && System.nanoTime() < end) {
            motion.setPlayhead(1000f);
            Thread.sleep(1);
        }
        float[] out = new float[track.frameCount() * motion.layout().dim()];
        track.copyFrames(0, track.frameCount(), out, 0);
        return out;
    }

    @Test
    void aLineGetsTheAdaptersHeadPoseAndKeepsTheRest() throws Exception {
        float[] pcm = Golden.loadFolder(TestAssets.root().resolve("models/packs/pose-adapter-v1/golden"))
                .floats("pcm");
        int style = adapter.styleIndex("spk0009");
        float[] plain = frames(BASE.start(start(pcm, false)));
        String here = Thread.currentThread().getName();
        MotionSource.Motion posed = MotionSource.withHeadPose(BASE, adapter, style).start(start(pcm, false));
        float[] got = frames(posed);
        Map<String, Long> runs = adapter.runCounts();
        assertTrue(runs.keySet().stream().noneMatch(k -> k.endsWith("@" + here)),
                "no pose inference on the thread that starts and drains the line: " + runs);
        assertTrue(runs.getOrDefault(PoseAdapter.DECODER + "@" + service.thread().getName(), 0L) > 0,
                "the pose made on the worker: " + runs);
        MotionLayout layout = posed.layout();
        int dim = layout.dim();
        int head = layout.slice("head").offset();
        assertEquals(plain.length, got.length, "the same frames as the base source");
        int n = got.length / dim;
        // The line's whole frames, the last partial one padded with silence (as the runtime reads it).
        float[] pose = adapter.pose(Arrays.copyOf(pcm, n * adapter.samplesPerFrame()), style);
        assertEquals(n * PoseAdapter.POSE_DIM, pose.length, "one pose per frame of the line (" + n + ")");
        double moved = 0;
        for (int f = 0; f < n; f++) {
            for (int i = 0; i < dim; i++) {
                boolean inHead = i >= head && i < head + PoseAdapter.POSE_DIM;
                float expected = inHead ? pose[f * PoseAdapter.POSE_DIM + i - head] : plain[f * dim + i];
                assertEquals(expected, got[f * dim + i], 0f, "frame " + f + " value " + i);
                moved += inHead ? Math.abs(got[f * dim + i] - plain[f * dim + i]) : 0;
            }
        }
        assertTrue(moved > 0, "the adapter's head differs from the base's");
        System.out.printf("pose adapter as head source: %d frames, head replaced, mean |change| %.4f rad%n", n,
                moved / (3.0 * n));
    }

    @Test
    void aStreamedLineKeepsTheBasesHeadWithAWarning() throws Exception {
        float[] pcm = new float[16000];
        try (LogCapture log = LogCapture.of(HeadPoseMotion.class)) {
            LineStart s = start(pcm, true);
            MotionSource.Motion m = MotionSource.withHeadPose(BASE, adapter, 0).start(s);
            log.assertLogged(Level.WARNING, "'posed line' is streamed: it keeps ");
            assertSame(EnergyJawMotion.class, m.getClass(), "the base's motion, unchanged");
            m.cancel();
        }
    }

    @Test
    void withoutAnInferenceServiceALineKeepsTheBasesHeadWithAWarning() throws Exception {
        float[] pcm = new float[16000];
        try (LogCapture log = LogCapture.of(HeadPoseMotion.class)) {
            LineStart s = new LineStart(null, new Line("posed line", LineOptions.DEFAULTS), NAMES,
                    (rate, spf) -> LineAudio.clip("posed line", pcm, 16000, rate, spf), false, null);
            MotionSource.Motion m = MotionSource.withHeadPose(BASE, adapter, 0).start(s);
            log.assertLogged(Level.WARNING, "'posed line': the pose adapter runs on Parley's inference worker and"
                    + " there is none (no pack): it keeps ");
            assertSame(EnergyJawMotion.class, m.getClass(), "the base's motion, unchanged");
            m.cancel();
        }
    }

    @Test
    void aFrameSliceIsReplacedFromItsLineFrame() {
        MotionLayout layout = MotionLayout.face(2, 25, null, null);
        float[] motion = new float[2 * layout.dim()];
        Arrays.fill(motion, 7f);
        PoseAdapter.replaceHead(motion, 1, layout, new float[] {1, 2, 3, 4, 5, 6});
        int h = layout.slice("head").offset();
        assertArrayEquals(new float[] {4, 5, 6}, Arrays.copyOfRange(motion, h, h + 3), "line frame 1");
        assertArrayEquals(new float[] {4, 5, 6}, Arrays.copyOfRange(motion, layout.dim() + h, layout.dim() + h + 3),
                "past the pose: its last frame");
        assertEquals(7f, motion[0], "the rest unchanged");
    }
}
