package dev.parley.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.head.HeadSpec;
import dev.parley.model.ModelDims;
import dev.parley.style.Style;
import dev.parley.testing.Golden;
import dev.parley.testing.TestAssets;
import dev.parley.util.AssetFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the committed pack, and packs whose files disagree with their manifest. */
class ParleyPackTest {

    @TempDir
    Path dir;

    private static final InferenceRuntime CPU = InferenceRuntime.create(1, false);

    /** Copies the committed pack (graphs as links) with an edited manifest. */
    private Path packWith(Consumer<ObjectNode> edit) throws IOException {
        Path src = Golden.pack();
        for (String f : new String[] {"audio_encoder.onnx", "audio_memory.onnx", "denoiser.onnx",
            "style_encoder.onnx", "audio_memory_distilled.onnx", "denoiser_distilled.onnx", "stream_audio_encoder.onnx",
            "stream_audio_memory.onnx", "stream_denoiser.onnx"}) {
            Files.createSymbolicLink(dir.resolve(f), src.resolve(f).toAbsolutePath());
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) mapper.readTree(src.resolve("manifest.json").toFile());
        edit.accept(manifest);
        mapper.writeValue(dir.resolve("manifest.json").toFile(), manifest);
        return dir;
    }

    @Test
    void theCommittedPackLoadsAndFitsTheHead() {
        try (ParleyPack pack = ParleyPack.load(Golden.pack(), CPU)) {
            assertEquals("parley-base-v1", pack.manifest().id());
            pack.checkHead(HeadSpec.load(TestAssets.assets().resolve(TestAssets.HEAD_SPEC)));
            ModelDims d = pack.manifest().dims();
            assertEquals(new ModelDims(16000, 640, 128, 100, 10, 56, 128, 100, 100, new ModelDims.Memory(4, 128)), d,
                    "the committed pack's sizes");
            Style s = pack.extractStyle("Calm", new float[d.styleClipSize()]);
            assertEquals(d.styleDim(), s.dimension());
            assertEquals("parley-base-v1", s.packId());
            pack.checkStyle(s);
        }
    }

    @Test
    void aMissingFolderIsNamed() {
        Path missing = dir.resolve("nope");
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(missing, CPU));
        assertEquals(missing + " does not exist: no model pack folder there", e.getMessage());
    }

    @Test
    void aMissingGraphIsNamedWithTheManifestThatNamesIt() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("models")).put("denoiser", "denoiser_v2.onnx"));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertEquals(p.resolve("denoiser_v2.onnx") + " does not exist (named by " + p.resolve("manifest.json") + ")",
                e.getMessage());
    }

    @Test
    void aMissingStreamGraphIsNamedWithTheManifestThatNamesIt() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("models")).put("streamDenoiser", "stream_v2.onnx"));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertEquals(p.resolve("stream_v2.onnx") + " does not exist (named by " + p.resolve("manifest.json") + ")",
                e.getMessage());
    }

    @Test
    void aStreamWindowTheStreamGraphsDisagreeWithIsNamed() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("stream")).put("lookahead", 3).put("window", 5));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertEquals(p.resolve("stream_audio_memory.onnx") + " input 'audio_features' expected shape [?, 5, 128] "
                + "(from " + p.resolve("manifest.json") + " fields stream.window / audio.featureDim) but got "
                + "[?, 4, 128]", e.getMessage());
    }

    @Test
    void aManifestThatDisagreesWithTheGraphsNamesBoth() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("style")).put("dim", 64));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertEquals(p.resolve("denoiser.onnx") + " input 'style' expected shape [?, 64] (from "
                + p.resolve("manifest.json")
                + " fields style.dim) but got [?, 128]", e.getMessage());
    }

    @Test
    void aWindowSizeThatDisagreesIsNamed() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("window")).put("current", 50));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertTrue(e.getMessage().contains("audio_memory.onnx input 'audio_features' expected shape [?, 50, 128]"),
                e.getMessage());
    }

    @Test
    void anAudioMemoryThatDisagreesWithTheGraphsNamesBoth() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("audioMemory")).put("width", 64));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertEquals(p.resolve("audio_memory.onnx") + " output 'audio_memory' expected shape [?, 4, 3, 100, 64] (from "
                + p.resolve("manifest.json") + " fields audioMemory.layers / window.current / audioMemory.width) but "
                + "got [?, 4, 3, 100, 128]", e.getMessage());
    }

    @Test
    void anAudioMemoryGraphWithoutItsSizesIsNamed() throws IOException {
        Path p = packWith(m -> m.remove("audioMemory"));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertTrue(e.getMessage().startsWith(p.resolve("manifest.json") + ": field 'audioMemory'"), e.getMessage());
    }

    /** Issue 15, item 10: a rate the audio encoder disagrees with failed at warm-up with a raw ONNX Runtime message. */
    @Test
    void aSampleRateTheAudioEncoderDisagreesWithFailsAtLoad() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("audio")).put("sampleRate", 8000).put("samplesPerFrame", 320));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertEquals(p.resolve("audio_encoder.onnx") + " makes 50 frames from 32000 samples (640 samples per frame), "
                + "but " + p.resolve("manifest.json") + " fields audio.sampleRate / audio.samplesPerFrame say "
                + "8000 Hz / 320 (100 frames)", e.getMessage());
    }

    /** Issue 15, item 10: a schedule longer than the denoiser's failed at warm-up with a raw ONNX Runtime message. */
    @Test
    void aDiffusionScheduleLongerThanTheDenoisersFailsAtLoad() throws IOException {
        Path p = packWith(m -> {
            ObjectNode diffusion = (ObjectNode) m.get("diffusion");
            JsonNode ab = diffusion.get("alphasCumprod");
            ArrayNode longer = diffusion.putArray("alphasCumprod");
            for (int i = 0; i < 2 * ab.size(); i++) {
                longer.add(ab.get(i / 2).asDouble());
            }
            diffusion.put("steps", 2 * ab.size());
        });
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertTrue(e.getMessage().startsWith(p.resolve("denoiser.onnx") + " cannot run timestep 999 (the last of "
                + p.resolve("manifest.json") + " field diffusion.steps = 1000): "), e.getMessage());
    }

    /** Issue 15, item 10: {@code models.*} could reach a graph outside the pack folder. */
    @Test
    void aGraphOutsideThePackFolderIsRefused() throws IOException {
        String outside = "../" + dir.getFileName() + "/denoiser.onnx";
        Path p = packWith(m -> ((ObjectNode) m.get("models")).put("denoiser", outside));
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> ParleyPack.load(p, CPU));
        assertEquals(p.resolve("manifest.json") + ": field 'models.denoiser' expected a file inside the pack folder (a "
                + "relative path without '..') but got '" + outside + "'", e.getMessage());
    }

    @Test
    void aPackForAnotherHeadIsRefused() throws IOException {
        Path p = packWith(m -> ((ObjectNode) m.get("head")).put("name", "OtherHead"));
        try (ParleyPack pack = ParleyPack.load(p, CPU)) {
            HeadSpec spec = HeadSpec.load(TestAssets.assets().resolve(TestAssets.HEAD_SPEC));
            AssetFormatException e = assertThrows(AssetFormatException.class, () -> pack.checkHead(spec));
            assertTrue(e.getMessage().endsWith("field 'head.name' expected 'ParleyHead' (the head of " + spec.source()
                    + ") but got 'OtherHead'"), e.getMessage());
        }
    }

    @Test
    void closingClosesEveryTensor() {
        ParleyPack pack = ParleyPack.load(Golden.pack(), CPU);
        ModelDims d = pack.manifest().dims();
        int samples = d.windowSamples();
        float[] f = new float[d.windowFeatures()];
        pack.audioEncoder().encode(new float[samples], 1, samples, f);
        assertEquals(1, pack.audioEncoder().shapeCount());
        pack.close();
        assertEquals(0, pack.audioEncoder().shapeCount());
        assertTrue(pack.isClosed());
        assertThrows(IllegalStateException.class, () -> pack.audioEncoder().encode(new float[samples], 1, samples, f));
    }
}
