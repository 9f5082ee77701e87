package dev.parley.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.sampler.BatchStepper;
import dev.parley.sampler.DenoiserBatch;
import dev.parley.sampler.Guidance;
import dev.parley.sampler.SamplingTask;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterLoader;
import dev.parley.testing.Golden;
import dev.parley.util.AssetFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An adapted character against PyTorch: the committed pack's denoiser with {@code golden/adapter/golden.adapter}
 * merged in ({@link ParleyPack#adaptedDenoiser}), driven through whole DDIM runs by the production
 * {@link BatchStepper}, against the vectors of {@code python3 -m parley.model.adapter golden packs/parley-base-v1}
 * (PyTorch's {@code merged_copy}).
 */
class AdaptedGoldenParityTest {

    /** The bound for an adapted character's frames. */
    static final double TOLERANCE = 1e-4;

    private static ParleyPack pack;
    private static Golden golden;
    private static Adapter adapter;

    @BeforeAll
    static void load() throws IOException {
        pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
        golden = Golden.loadFolder(Golden.pack().resolve("golden/adapter"));
        adapter = read(golden);
    }

    @AfterAll
    static void close() {
        pack.close();
    }

    private static Adapter read(Golden g) throws IOException {
        String name = g.index().get("adapter").asText();
        try (InputStream in = Files.newInputStream(g.folder().resolve(name))) {
            return AdapterLoader.read(in, name);
        }
    }

    @Test
    void adaptedDdimRunsMatchPyTorch() {
        PackManifest m = pack.manifest();
        JsonNode runs = golden.index().get("ddim");
        assertEquals(2, runs.size(), "the golden file has its two runs");
        BatchStepper stepper = new BatchStepper(GoldenParityTest.schedule(m), pack.denoiser(), m.dims());
        for (JsonNode run : runs) {
            SamplingTask adapted = task(run, m);
            adapted.setDenoiser(pack.adaptedDenoiser(adapter));
            SamplingTask plain = task(run, m);
            while (!adapted.isDone()) {
                stepper.step(List.of(adapted, plain));
            }
            float[] expected = golden.floats(run.get("output").asText());
            double diff = Golden.maxAbsDiff(expected, adapted.x);
            double moved = Golden.maxAbsDiff(expected, plain.x);
            System.out.printf("adapted golden parity: ddim %d steps max |diff| = %.3g (tolerance %.0e); the plain"
                    + " model differs by %.3g%n", adapted.steps(), diff, TOLERANCE, moved);
            assertTrue(diff <= TOLERANCE, "ddim " + adapted.steps() + " steps: max |diff| " + diff);
            assertTrue(moved > 100 * TOLERANCE, "the adapter moves the motion: " + moved);
        }
    }

    @Test
    void aZeroAdapterIsThePlainDenoiser() {
        Adapter zero = new Adapter("zero.adapter", adapter.packId(), adapter.packVersion(), adapter.denoiserSha256(),
                new int[] {1}, adapter.rowWidth(), adapter.targets(), new float[adapter.rowWidth()], null);
        PackManifest m = pack.manifest();
        DenoiserBatch b = new DenoiserBatch(3, m.dims());
        Random r = new Random(5);
        for (float[] a : List.of(b.xt, b.prevMotion, b.audioFeatures, b.style, b.shape)) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
            }
        }
        b.timestep[0] = 0;
        b.timestep[1] = 250;
        b.timestep[2] = 499;
        b.audioMask[1] = b.audioMask[2] = 1f;
        b.styleMask[2] = 1f;
        b.firstWindow[0] = 1f;
        float[] plain = new float[3 * b.windowSize()];
        float[] merged = new float[plain.length];
        pack.denoiser().predict(b, plain);
        pack.adaptedDenoiser(zero).predict(b, merged);
        assertTrue(Golden.maxAbsDiff(plain, merged) <= 1e-6, "zero adapter: " + Golden.maxAbsDiff(plain, merged));
    }

    @Test
    void oneSessionPerDistinctAdapter() throws IOException {
        assertSame(pack.adaptedDenoiser(adapter), pack.adaptedDenoiser(read(golden)), "equal factors, one session");
    }

    @Test
    void anAdapterOfAnotherDenoiserIsRefusedByTheGraphsHash() {
        Adapter other = new Adapter("npc.adapter", adapter.packId(), adapter.packVersion(), "cd".repeat(32),
                adapter.ranks(), adapter.rowWidth(), adapter.targets(), adapter.factors(), null);
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> pack.adaptedDenoiser(other));
        assertEquals("pack.denoiserSha256", e.getField());
        assertTrue(e.getMessage().startsWith("npc.adapter: field 'pack.denoiserSha256' expected '"
                + pack.manifest().denoiserSha256() + "' but got 'cdcd"), e.getMessage());
    }

    private static SamplingTask task(JsonNode run, PackManifest m) {
        return golden.task(run, m.dims(), GoldenParityTest.timesteps(run), new Guidance(
                (float) run.get("audioScale").asDouble(), (float) run.get("styleScale").asDouble(),
                (float) run.get("guidanceRescale").asDouble()));
    }
}
