package dev.parley.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parley.testing.Golden;
import dev.parley.testing.TestAssets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pack with the one-graph denoiser of packs before 1.4.0 (no {@code audio_memory.onnx}) still loads and
 * runs, under golden parity: {@link GoldenParityTest}'s denoiser and sampler tests on the fixture
 * {@code plugin/src/test/resources/packs/one-graph} ({@code python3 -m parley.model.fixtures}), a tiny
 * denoiser beside the committed pack's encoder graphs. The encoders' own parity is GoldenParityTest's.
 */
class OneGraphPackTest extends GoldenParityTest {

    @TempDir
    static Path dir;

    /** Hides GoldenParityTest's: loads the fixture instead of the committed pack. */
    @BeforeAll
    static void load() {
        Path fixture = TestAssets.root().resolve("plugin/src/test/resources/packs/one-graph");
        try {
            for (String f : new String[] {"manifest.json", "denoiser.onnx", "golden"}) {
                Files.createSymbolicLink(dir.resolve(f), fixture.resolve(f).toAbsolutePath());
            }
            for (String f : new String[] {"audio_encoder.onnx", "style_encoder.onnx"}) {
                Files.createSymbolicLink(dir.resolve(f), Golden.pack().resolve(f).toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pack = ParleyPack.load(dir, InferenceRuntime.create(1, false));
        golden = Golden.load(dir);
    }

    /** Hides GoldenParityTest's. */
    @AfterAll
    static void close() {
        pack.close();
    }

    @Test
    void itIsAOneGraphPack() {
        assertEquals("1.3.0", pack.manifest().packVersion());
        assertNull(pack.manifest().audioMemoryFile());
        assertNull(pack.manifest().dims().memory());
    }

    /** A one-graph denoiser reads the features at every step: there is no memory graph to run. */
    @Override
    @Test
    void theAudioMemoryRunsOncePerWindowNotOncePerStep() {
        long before = pack.denoiser().memoryRuns();
        stepAll(List.of(ddimRun(cases("ddim").get(0), pack.manifest())), pack.manifest());
        assertEquals(before, pack.denoiser().memoryRuns());
    }

    /** The fixture's encoders are the committed pack's: GoldenParityTest checks them. */
    @Override
    void audioEncoderMatchesPyTorch() {
    }

    /** The fixture's encoders are the committed pack's: GoldenParityTest checks them. */
    @Override
    void audioEncoderRowsAreIndependentInABatch() {
    }

    /** The fixture's encoders are the committed pack's: GoldenParityTest checks them. */
    @Override
    void styleEncoderMatchesPyTorch() {
    }

    /** A pack before 1.5.0 has no distilled sampler, and loads without one. */
    @Override
    @Test
    void distilledDenoiserMatchesPyTorch() {
        assertNull(pack.distilledDenoiser());
        assertFalse(pack.manifest().hasDistilled());
    }

    /** No distilled sampler here: GoldenParityTest checks the committed pack's. */
    @Override
    void productionStepperOverTheDistilledDenoiserMatchesPythonFoldedSampler() {
    }

    /** A pack before 1.6.0 has no stream model, and loads without one (its streams keep full windows). */
    @Override
    @Test
    void theStreamPathReproducesPythonsStreamSampleWindowByWindow() {
        assertNull(pack.manifest().stream());
        assertNull(pack.streamDenoiser());
        assertNull(pack.streamAudioEncoder());
    }

    /** No stream model here: GoldenParityTest checks the committed pack's. */
    @Override
    void aWindowDoesNotHearAudioPastItsEnd() {
    }
}
