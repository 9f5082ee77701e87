package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.LineOptions;
import dev.parley.features.AudioEncoder;
import dev.parley.features.LineAudio;
import dev.parley.generation.MotionWindow;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.pose.LinePose;
import dev.parley.pose.PoseAdapter;
import dev.parley.sampler.SamplerKind;
import dev.parley.testing.Golden;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import dev.parley.testing.Waits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, the pose adapter re-encoding each line's audio with its own encoder on the render thread: a line with
 * a head pose request is encoded once, on the worker, and its pose is made there from those features, the same
 * pose as the adapter's own ({@link PoseAdapter#pose}); the line's windows begin from the same features and give
 * the same motion as a line without the request. Real ONNX Runtime, the committed pack and adapter.
 */
class PoseOnWorkerTest {

    static ParleyPack pack;
    static PackManifest m;
    static PoseAdapter adapter;

    /** The pack's audio encoder, recording the thread and the rows of every call. */
    static final class CountingEncoder implements AudioEncoder {
        final AudioEncoder real;
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        volatile int rows;

        CountingEncoder(AudioEncoder real) {
            this.real = real;
        }

        @Override
        public void encode(float[] pcm, int batch, int samples, float[] features) {
            threads.add(Thread.currentThread().getName());
            rows += batch;
            real.encode(pcm, batch, samples, features);
        }
    }

    /** One line through a fresh service: its motion, and what the encoder did. */
    record Run(float[] motion, CountingEncoder encoder, String worker) {
    }

    @BeforeAll
    static void load() {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        m = pack.manifest();
        adapter = PoseAdapter.load(TestAssets.root().resolve("models/packs/pose-adapter-v1"), pack);
    }

    @AfterAll
    static void close() {
        adapter.close();
        pack.close();
    }

    private static Run run(float[] pcm, LinePose pose) throws Exception {
        CountingEncoder encoder = new CountingEncoder(pack.audioEncoder());
        try (InferenceService s = new InferenceService(m, () -> new Networks(encoder, pack.denoiser(),
                pack.distilledDenoiser(), null), ServiceSettings.defaults(), "pose test inference")) {
            s.start();
            assertTrue(Waits.until(30, s::isReady), "service ready");
            LineJob job = new LineJob(LineAudio.clip("posed", pcm.clone(), 16000, m.sampleRate(), m.samplesPerFrame()),
                    new float[m.styleDim()], 2,
                    LineOptions.DEFAULTS.withSampler(SamplerKind.DDIM).resolvedGuidance(m, false), 7, false);
            if (pose != null) {
                job.withHeadPose(pose);
            }
            s.submit(job);
            List<MotionWindow> windows = InferenceServiceTest.collect(job, 120, m.motion().fps());
            int frames = 0;
            for (MotionWindow w : windows) {
                frames += w.frames();
            }
            float[] motion = new float[frames * m.motion().dim()];
            for (MotionWindow w : windows) {
                System.arraycopy(w.motion(), 0, motion, (int) w.startFrame() * m.motion().dim(), w.motion().length);
            }
            return new Run(motion, encoder, s.thread().getName());
        }
    }

    @Test
    void aPosedLineIsEncodedOnceOnTheWorkerWithTheAdaptersPoseAndTheSameMotion() throws Exception {
        float[] pcm = TestVoice.pcm(9.0, 16000); // 225 frames: three windows, the last one partial
        int style = adapter.styleIndex("spk0009");
        Map<String, Long> before = adapter.runCounts();
        LinePose pose = new LinePose(adapter, style, "posed");
        Run posed = run(pcm, pose);
        Map<String, Long> after = adapter.runCounts();
        Run plain = run(pcm, null);

        int frames = posed.motion().length / m.motion().dim();
        int windows = (frames + m.windowFrames() - 1) / m.windowFrames();
        assertEquals(225, frames);
        assertEquals(1 + windows, posed.encoder().rows, "warm-up, then each window once: " + posed.encoder().threads);
        assertEquals(plain.encoder().rows, posed.encoder().rows, "no more encoding than a line without a pose");
        assertEquals(List.of(posed.worker()), posed.encoder().threads.stream().distinct().toList(),
                "every encoder run on the worker");
        assertEquals((long) (frames + 3) / 4, after.get(PoseAdapter.GPT + "@" + posed.worker()),
                "one step-graph run per code, on the worker");
        assertEquals(Map.of(), before, "a fresh adapter");
        assertEquals(Set.of(PoseAdapter.GPT + "@" + posed.worker(), PoseAdapter.DECODER + "@" + posed.worker()),
                after.keySet(), "the step graph and the decoder on the worker only; the adapter's own encoder never");
        assertEquals(1L, after.get(PoseAdapter.DECODER + "@" + posed.worker()), "one decode");

        System.out.printf("pose on the worker: %d frames, made in %.1f ms (read, encode %d windows, %d step-graph runs,"
                + " decode)%n", frames, pose.makeSeconds() * 1000, windows, (frames + 3) / 4);
        assertNull(pose.failure());
        assertNotNull(pose.pose());
        float[] expected = adapter.pose(Arrays.copyOf(pcm, frames * adapter.samplesPerFrame()), style);
        assertArrayEquals(expected, pose.pose(), 0f, "the adapter's own pose of the line, from the worker's features");
        assertArrayEquals(plain.motion(), posed.motion(), 0f,
                "windows begun from the pose's features: the same motion");
    }
}
