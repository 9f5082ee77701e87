package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.app.LineOptions;
import dev.parley.audio.AudioInputException;
import dev.parley.features.LineAudio;
import dev.parley.generation.NonFiniteMotionException;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Guidance;
import dev.parley.testing.Golden;
import dev.parley.testing.TestVoice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-finite values on either side of the model, through the real service and ONNX Runtime: NaN or
 * infinity in a line's input audio fails that line up front, named as the input's fault (issue 15,
 * item 13: it used to be blamed on the audio encoder); motion that overflows when de-normalised fails
 * the line instead of reaching the face (item 10: the check ran only before de-normalising).
 */
class NonFiniteLineTest {

    private static ParleyPack pack;

    @BeforeAll
    static void load() {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
    }

    @AfterAll
    static void close() {
        pack.close();
    }

    /** Runs one job to its end on a fresh service and returns it. */
    private static LineJob run(PackManifest m, Networks networks, LineAudio audio) throws InterruptedException {
        ServiceSettings settings = ServiceSettings.defaults();
        try (InferenceService service = new InferenceService(m, () -> networks, settings, "test nonfinite")) {
            service.start();
            Guidance guidance = LineOptions.DEFAULTS.resolvedGuidance(m, false);
            LineJob job = new LineJob(audio, new float[m.styleDim()], 2, guidance, 1, false);
            service.submit(job);
            long end = System.nanoTime() + 60_000_000_000L;
            while (job.failure() == null && !job.isGenerationDone() && System.nanoTime() < end) {
                job.setPlayhead(1e6f, true);
                while (job.pollWindow() != null) {
                    // Drain: the test looks at the line's end only.
                }
                Thread.sleep(5);
            }
            return job;
        }
    }

    @Test
    void nanInAClipIsTheInputsFaultAtItsSample() throws InterruptedException {
        PackManifest m = pack.manifest();
        float[] pcm = TestVoice.pcm(3.0, m.sampleRate());
        pcm[20_000] = Float.NaN;
        LineJob job = run(m, Networks.of(pack), LineAudio.clip("guard_03", pcm, m.sampleRate(), m.sampleRate(),
                m.samplesPerFrame()));
        Exception e = job.failure();
        assertNotNull(e, "the line fails");
        assertTrue(e instanceof AudioInputException, e.toString());
        assertEquals("'guard_03': input audio contains NaN at sample 20000 (of 16000 Hz audio): nothing to animate",
                e.getMessage());
    }

    @Test
    void infinityInAStreamFailsTheLineAtItsSample() throws InterruptedException {
        PackManifest m = pack.manifest();
        LineAudio audio = LineAudio.stream("tts line", 22050, m.sampleRate(), m.samplesPerFrame());
        float[] pcm = TestVoice.pcm(2.0, 22050);
        audio.write(pcm, 0, 30_000);
        pcm[31_000] = Float.NEGATIVE_INFINITY;
        audio.write(pcm, 30_000, pcm.length - 30_000);
        audio.finish();
        Exception e = run(m, Networks.of(pack), audio).failure();
        assertNotNull(e, "the line fails");
        assertEquals("'tts line': input audio contains -Infinity at sample 31000 (of 22050 Hz audio): "
                + "nothing to animate", e.getMessage());
    }

    @Test
    void motionThatOverflowsWhenDeNormalisedFailsTheLine(@TempDir Path dir) throws IOException, InterruptedException {
        // The largest std a manifest may declare, and a denoiser whose finite answer overflows float once scaled by it.
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = (ObjectNode) mapper.readTree(Golden.pack().resolve("manifest.json").toFile());
        ArrayNode std = (ArrayNode) json.get("motion").get("std");
        std.set(51, PackManifest.MAX_NORMALISATION);
        Path file = dir.resolve("manifest.json");
        mapper.writeValue(file.toFile(), json);
        PackManifest m = PackManifest.load(file);
        Networks huge = new Networks(pack.audioEncoder(), (batch, x0) -> Arrays.fill(x0, 1e36f));
        LineJob job = run(m, huge, LineAudio.clip("bard", TestVoice.pcm(2.0, m.sampleRate()), m.sampleRate(),
                m.sampleRate(), m.samplesPerFrame()));
        Exception e = job.failure();
        assertNotNull(e, "the line fails instead of sending infinity to the face");
        assertTrue(e instanceof NonFiniteMotionException, e.toString());
        assertEquals("'bard': de-normalised motion is Infinity at window 0, frame 0, value 51 (denoiser 1.0E36 * "
                + file + " motion.std[51] 1000.0 + motion.mean[51] " + m.motionMean()[51] + ")", e.getMessage());
        assertNull(job.pollWindow(), "no window of that line reached the face");
    }
}
