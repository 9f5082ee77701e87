package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.app.LineOptions;
import dev.parley.features.LineAudio;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Denoiser;
import dev.parley.sampler.Guidance;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterLoader;
import dev.parley.testing.Golden;
import dev.parley.testing.LogCapture;
import dev.parley.testing.TestVoice;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Adapted and plain characters in one scene (issue 19), on the committed pack and the real ONNX Runtime: each
 * adapter's characters share one denoiser run per step, the plain ones run the pack's networks (the distilled
 * student, their default), and every line's motion is what it is when the line runs alone.
 */
class AdaptedSceneTest {

    /** The bound: a mixed scene gives each character the frames it gets alone. */
    private static final double TOLERANCE = 1e-4;

    private static ParleyPack pack;
    private static PackManifest m;
    private static InferenceService service;
    private static Adapter adapterA;
    private static Adapter adapterB;
    /** Rows of each run of each network, by name (worker thread writes). */
    private static final Map<String, List<Integer>> rows = new HashMap<>();
    private static final List<Integer> plainRows = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        m = pack.manifest();
        try (InputStream in = Files.newInputStream(Golden.pack().resolve("golden/adapter/golden.adapter"))) {
            adapterA = AdapterLoader.read(in, "a.adapter");
        }
        float[] half = adapterA.factors();
        for (int i = 0; i < half.length; i++) {
            half[i] *= -0.5f;
        }
        adapterB = new Adapter("b.adapter", adapterA.packId(), adapterA.packVersion(), adapterA.denoiserSha256(),
                adapterA.ranks(), adapterA.rowWidth(), adapterA.targets(), half, null);
        Denoiser plain = pack.denoiser();
        service = InferenceServiceTest.started(m, () -> new Networks(pack.audioEncoder(), (batch, x0) -> {
            plainRows.add(batch.batch);
            plain.predict(batch, x0);
        }, pack.distilledDenoiser(), null, a -> {
            Denoiser d = pack.adaptedDenoiser(a);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            synchronized (rows) {
                rows.put(a.source(), seen);
            }
            return (batch, x0) -> {
                seen.add(batch.batch);
                d.predict(batch, x0);
            };
        }), "test adapted scene");
    }

    @AfterAll
    static void stop() {
        service.close();
        pack.close();
    }

    private static LineJob job(String character, int voice, Adapter adapter) {
        Guidance g = LineOptions.DEFAULTS.resolvedGuidance(m, true, adapter != null);
        return new LineJob(character, audio(voice), styleOf(voice), new float[0],
                LineOptions.DEFAULTS.resolvedSteps(m, g), g, 100 + voice, false, adapter);
    }

    private static LineAudio audio(int voice) {
        return LineAudio.clip("line " + voice, TestVoice.pcm(2.5 + 0.25 * voice, 16000), 16000, m.sampleRate(),
                m.samplesPerFrame());
    }

    private static float[] motion(LineJob job) throws InterruptedException {
        float[] out = InferenceServiceTest.concat(InferenceServiceTest.collect(job, 120, m.motion().fps()));
        assertNull(job.failure(), job.character() + " failed");
        assertTrue(out.length > 0, job.character() + " made motion");
        return out;
    }

    /** The scene: two plain characters, two of adapter A, one of adapter B. */
    private static List<LineJob> scene() {
        return List.of(job("plain 1", 1, null), job("A 1", 2, adapterA), job("A 2", 3, adapterA),
                job("B 1", 4, adapterB), job("plain 2", 5, null));
    }

    @Test
    void aMixedSceneGivesEachCharacterItsFramesAlone() throws Exception {
        plainRows.clear(); // the warm-up's
        List<LineJob> together = scene();
        together.forEach(service::submit);
        List<float[]> mixed = new ArrayList<>();
        for (LineJob j : together) {
            mixed.add(motion(j));
        }
        List<Integer> aRows = rows.get("a.adapter");
        assertTrue(aRows.contains(6), "both characters of adapter A in one run of 6 rows: " + aRows);
        assertTrue(rows.get("b.adapter").stream().allMatch(r -> r == 3), "adapter B's one character: 3 rows");
        assertTrue(plainRows.isEmpty(), "plain styled characters run the distilled student, not the teacher");
        assertEquals(10, together.get(1).steps(), "an adapted line runs the guided DDIM at the pack's steps");
        assertEquals(m.distilledTimesteps().length, together.get(0).steps(), "a plain one the student");

        double worst = 0;
        List<LineJob> alone = scene();
        for (int c = 0; c < alone.size(); c++) {
            service.submit(alone.get(c));
            float[] own = motion(alone.get(c));
            double diff = Golden.maxAbsDiff(own, mixed.get(c));
            worst = Math.max(worst, diff);
            assertTrue(diff <= TOLERANCE, alone.get(c).character() + ": mixed vs alone max |diff| " + diff);
        }
        System.out.printf("adapted scene: 2 plain + 2 of adapter A + 1 of adapter B, mixed vs each alone: max |diff|"
                + " = %.3g (tolerance %.0e)%n", worst, TOLERANCE);

        // The same character, voice and guidance without its adapter moves otherwise.
        LineJob guided = new LineJob("A 1 plain DDIM", audio(2), styleOf(2), new float[0], 10,
                LineOptions.DEFAULTS.resolvedGuidance(m, true, true), 102, false, null);
        service.submit(guided);
        double apart = Golden.maxAbsDiff(motion(guided), mixed.get(1));
        System.out.printf("adapted scene: adapter A vs the plain teacher on the same line: max |diff| = %.3f%n", apart);
        assertTrue(apart > 1e-2, "the adapter changes the motion: " + apart);
    }

    @Test
    void anAdapterTheNetworksCannotRunLeavesItsCharacterOnThePlainModel() throws Exception {
        Adapter wrongLayer = new Adapter("layer.adapter", adapterA.packId(), adapterA.packVersion(),
                adapterA.denoiserSha256(), adapterA.ranks(), adapterA.rowWidth(),
                List.of(new Adapter.Target("blocks.9.ffn.0", adapterA.rowWidth() - 1, 1, 0)), adapterA.factors(), null);
        try (LogCapture log = LogCapture.of(InferenceService.class)) {
            LineJob j = job("layer", 2, wrongLayer);
            service.submit(j);
            motion(j);
            log.assertLogged(Level.WARNING, "Parley cannot run the adapter layer.adapter (characters with it talk with"
                    + " the plain model)");
            log.assertNone(Level.SEVERE);
        }
    }

    private static float[] styleOf(int voice) {
        float[] style = new float[m.styleDim()];
        style[voice] = 1f;
        return style;
    }
}
