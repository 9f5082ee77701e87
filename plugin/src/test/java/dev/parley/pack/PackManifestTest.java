package dev.parley.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.model.ModelDims;
import dev.parley.model.StreamSpec;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackManifestTest {

    @TempDir
    Path dir;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static ObjectNode validManifest() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", "parley-model-pack").put("version", 1).put("id", "parley-test").put("packVersion", "0.0.1");
        root.putObject("head").put("name", "ParleyHead").put("spec", "ParleyHead.spec.json");
        ObjectNode motion = root.putObject("motion").put("dim", 56).put("fps", 25);
        ArrayNode layout = motion.putArray("layout");
        layout.addObject().put("name", "expression").put("offset", 0).put("size", 50);
        layout.addObject().put("name", "jaw").put("offset", 50).put("size", 3).put("joint", "jaw");
        layout.addObject().put("name", "head").put("offset", 53).put("size", 3).put("joint", "neck");
        ArrayNode mean = motion.putArray("mean");
        ArrayNode std = motion.putArray("std");
        for (int i = 0; i < 56; i++) {
            mean.add(0.01 * i);
            std.add(1.0);
        }
        root.putObject("audio").put("sampleRate", 16000).put("samplesPerFrame", 640).put("featureDim", 64);
        root.putObject("window").put("current", 100).put("previous", 10);
        root.putObject("style").put("dim", 128).put("frames", 100);
        root.putObject("shape").put("dim", 100);
        ObjectNode diffusion = root.putObject("diffusion").put("steps", 4).put("schedule", "cosine")
                .put("prediction", "x0");
        diffusion.putArray("alphasCumprod").add(0.99).add(0.7).add(0.3).add(0.01);
        ObjectNode sampling = root.putObject("sampling").put("sampler", "ddim").put("defaultSteps", 2).put("eta", 0.0);
        sampling.putObject("guidance").put("audio", 1.5).put("style", 2.0);
        root.putObject("models").put("audioEncoder", "a.onnx").put("denoiser", "d.onnx").put("styleEncoder", "s.onnx");
        return root;
    }

    private static PackManifest read(ObjectNode json) {
        return PackManifest.read(new ByteArrayInputStream(json.toString().getBytes(StandardCharsets.UTF_8)),
                "manifest.json");
    }

    private static String failure(Consumer<ObjectNode> edit) {
        ObjectNode json = validManifest();
        edit.accept(json);
        return assertThrows(AssetFormatException.class, () -> read(json)).getMessage();
    }

    @Test
    void readsAValidManifest() {
        PackManifest m = read(validManifest());
        assertEquals("parley-test", m.id());
        assertEquals(56, m.motion().dim());
        assertEquals(0.55f, m.motionMean()[55], 1e-6f);
        assertEquals(4, m.diffusionSteps());
        assertEquals(0.3f, m.alphaCumprod(2), 1e-7f);
        assertEquals(2.0f, m.styleGuidance());
        assertEquals(0f, m.guidanceRescale(), "no rescale in the manifest: plain guidance");
        assertEquals(100, m.windowFrames());
        assertEquals(10, m.previousFrames());
    }

    private static ObjectNode gate(ObjectNode json) {
        return ((ObjectNode) json.get("audio")).putObject("gate").put("belowPeakDb", 25.0).put("floorDbfs", -20.0)
                .put("blockSamples", 160).put("holdBlocks", 5).put("leadBlocks", 2);
    }

    @Test
    void aSilenceGateIsOptionalReadAndChecked() {
        assertNull(read(validManifest()).silenceGate(), "no audio.gate: the PCM goes to the encoder as it is");
        ObjectNode json = validManifest();
        gate(json);
        assertEquals("SilenceGate[25.0 dB below peak, floor -20.0 dBFS, 160-sample blocks, hold 5, lead 2]",
                read(json).silenceGate().toString());
        assertEquals("manifest.json: field 'audio.gate.blockSamples' expected a divisor of 640 (audio.samplesPerFrame) "
                + "but got 300", failure(j -> gate(j).put("blockSamples", 300)));
        assertEquals("manifest.json: field 'audio.gate.belowPeakDb' expected a value in [0.001, 200.0] but got -3.0",
                failure(j -> gate(j).put("belowPeakDb", -3.0)));
        assertEquals("manifest.json: field 'audio.gate.floorDbfs' expected a value in [-200.0, 0.0] but got 6.0",
                failure(j -> gate(j).put("floorDbfs", 6.0)));
        assertTrue(failure(j -> gate(j).remove("holdBlocks")).contains("'audio.gate.holdBlocks'"));
        assertEquals("manifest.json: field 'audio.gate.leadBlocks' expected an integer in [0, 100] but got 101",
                failure(j -> gate(j).put("leadBlocks", 101)));
    }

    @Test
    void guidanceRescaleIsReadAndChecked() {
        ObjectNode json = validManifest();
        ((ObjectNode) json.get("sampling").get("guidance")).put("rescale", 0.7);
        assertEquals(0.7f, read(json).guidanceRescale(), 1e-7f);
        String msg = failure(j -> ((ObjectNode) j.get("sampling").get("guidance")).put("rescale", 1.5));
        assertEquals("manifest.json: field 'sampling.guidance.rescale' expected a number in [0, 1] but got 1.5", msg);
    }

    private static void distilled(ObjectNode json) {
        ObjectNode d = ((ObjectNode) json.get("sampling")).putObject("distilled").put("steps", 2)
                .put("guidance", "folded").put("default", true);
        d.putArray("timesteps").add(3).add(1);
        ((ObjectNode) json.get("models")).put("distilledDenoiser", "student.onnx");
    }

    @Test
    void aDistilledSamplerIsOptionalAndRead() {
        PackManifest without = read(validManifest());
        assertFalse(without.hasDistilled());
        assertNull(without.distilledDenoiserFile());
        ObjectNode json = validManifest();
        distilled(json);
        PackManifest m = read(json);
        assertTrue(m.hasDistilled() && m.distilledIsDefault());
        assertEquals("student.onnx", m.distilledDenoiserFile());
        assertArrayEquals(new int[] {3, 1}, m.distilledTimesteps());
    }

    @Test
    void aBrokenDistilledSamplerIsRefusedNamingTheField() {
        Consumer<ObjectNode> base = PackManifestTest::distilled;
        assertEquals("manifest.json: field 'sampling.distilled.timesteps[1]' expected decreasing timesteps but got "
                + "[1, 3]", failure(base.andThen(j -> timesteps(j).removeAll().add(1).add(3))));
        assertEquals("manifest.json: field 'sampling.distilled.timesteps' expected 2 timesteps "
                + "(sampling.distilled.steps) but got 3", failure(base.andThen(j -> timesteps(j).add(0))));
        assertEquals("manifest.json: field 'sampling.distilled.timesteps[0]' expected an index in [0, 4) but got 4",
                failure(base.andThen(j -> timesteps(j).set(0, 4))));
        assertEquals("manifest.json: field 'sampling.distilled.guidance' expected 'folded' but got 'cfg'",
                failure(base.andThen(j -> ((ObjectNode) j.get("sampling").get("distilled")).put("guidance", "cfg"))));
        assertEquals("manifest.json: field 'models.distilledDenoiser' is missing",
                failure(base.andThen(j -> ((ObjectNode) j.get("models")).remove("distilledDenoiser"))));
        assertEquals("manifest.json: field 'sampling.distilled' is missing but models.distilledDenoiser names a "
                + "distilled denoiser",
                failure(base.andThen(j -> ((ObjectNode) j.get("sampling")).remove("distilled"))));
        assertEquals("manifest.json: field 'sampling.distilled.default' expected true or false but got \"yes\"",
                failure(base.andThen(j -> ((ObjectNode) j.get("sampling").get("distilled")).put("default", "yes"))));
    }

    private static void stream(ObjectNode json) {
        json.putObject("stream").put("hop", 2).put("lookahead", 2).put("context", 50).put("window", 4).put("steps", 3);
        ((ObjectNode) json.get("models")).put("streamAudioEncoder", "sa.onnx").put("streamDenoiser", "sd.onnx");
    }

    @Test
    void aStreamSectionIsReadWithItsGraphs() {
        assertNull(read(validManifest()).stream(), "no stream model without the section");
        ObjectNode json = validManifest();
        stream(json);
        PackManifest m = read(json);
        assertEquals(new StreamSpec(2, 2, 50, 4, 3), m.stream());
        assertEquals("sa.onnx", m.streamAudioEncoderFile());
        assertEquals("sd.onnx", m.streamDenoiserFile());
        assertEquals(4, m.streamDims().windowFrames());
        assertEquals(m.previousFrames(), m.streamDims().previousFrames());
    }

    @Test
    void aBrokenStreamSectionNamesTheField() {
        Consumer<ObjectNode> base = PackManifestTest::stream;
        assertEquals("manifest.json: field 'models.streamDenoiser' is missing",
                failure(base.andThen(j -> ((ObjectNode) j.get("models")).remove("streamDenoiser"))));
        assertEquals("manifest.json: field 'models.streamAudioEncoder' is missing",
                failure(base.andThen(j -> ((ObjectNode) j.get("models")).remove("streamAudioEncoder"))));
        assertEquals("manifest.json: field 'stream' is missing but models.streamDenoiser names a stream denoiser",
                failure(base.andThen(j -> j.remove("stream"))));
        assertEquals("manifest.json: field 'stream.window' expected stream.hop + stream.lookahead = 4 but got 5",
                failure(base.andThen(j -> streamSection(j).put("window", 5))));
        assertEquals("manifest.json: field 'stream.hop' expected an integer in [1, 100] but got 0",
                failure(base.andThen(j -> streamSection(j).put("hop", 0))));
        assertEquals("manifest.json: field 'stream.lookahead' expected an integer in [0, 98] (window.current - "
                + "stream.hop) but got -1", failure(base.andThen(j -> streamSection(j).put("lookahead", -1))));
        assertEquals("manifest.json: field 'stream.context' expected an integer in [0, 10000] but got 20000",
                failure(base.andThen(j -> streamSection(j).put("context", 20000))));
        assertEquals("manifest.json: field 'stream.steps' expected an integer in [1, 4] but got 5",
                failure(base.andThen(j -> streamSection(j).put("steps", 5))));
        assertEquals("manifest.json: field 'models.streamDenoiser' expected a file inside the pack folder (a relative "
                + "path without '..') but got '../sd.onnx'",
                failure(base.andThen(j -> ((ObjectNode) j.get("models")).put("streamDenoiser", "../sd.onnx"))));
    }

    private static ObjectNode streamSection(ObjectNode json) {
        return (ObjectNode) json.get("stream");
    }

    private static ArrayNode timesteps(ObjectNode json) {
        return (ArrayNode) json.get("sampling").get("distilled").get("timesteps");
    }

    @Test
    void scheduleMustDecreaseInsideTheUnitInterval() {
        String msg = failure(j -> ((ArrayNode) j.get("diffusion").get("alphasCumprod")).set(2, 0.8));
        assertEquals("manifest.json: field 'diffusion.alphasCumprod[2]' expected a decreasing value in (0, 1) but "
                + "got 0.8", msg);
    }

    @Test
    void audioFramingMustMatchTheMotionRate() {
        String msg = failure(j -> ((ObjectNode) j.get("audio")).put("samplesPerFrame", 320));
        assertTrue(msg.contains("'audio.samplesPerFrame' expected sampleRate/fps = 640.0 but got 320"), msg);
    }

    @Test
    void normalisationMustMatchTheMotionDimension() {
        String msg = failure(j -> ((ArrayNode) j.get("motion").get("std")).remove(0));
        assertEquals("manifest.json: field 'motion.std' expected 56 entries but got 55", msg);
        String zero = failure(j -> ((ArrayNode) j.get("motion").get("std")).set(3, 0.0));
        assertTrue(zero.contains("'motion.std[3]' expected a value in [1.0E-6, 1000.0] but got 0.0"), zero);
    }

    /** Writes a manifest into a temp folder, as a modder's broken pack would be. */
    private Path write(ObjectNode json) throws IOException {
        Path file = dir.resolve("manifest.json");
        MAPPER.writeValue(file.toFile(), json);
        return file;
    }

    private String loadFailure(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode json = validManifest();
        edit.accept(json);
        Path file = write(json);
        return assertThrows(AssetFormatException.class, () -> PackManifest.load(file)).getMessage();
    }

    /** Issue 15, item 10: a std of 1e38 loaded, and the face and baked clips got infinity. */
    @Test
    void absurdNormalisationIsRefusedAtLoadNamingFileAndField() throws IOException {
        Path file = dir.resolve("manifest.json");
        assertEquals(file + ": field 'motion.std[5]' expected a value in [1.0E-6, 1000.0] but got 1.0E38",
                loadFailure(j -> ((ArrayNode) j.get("motion").get("std")).set(5, 1e38)));
        assertEquals(file + ": field 'motion.mean[2]' expected a value in [-1000.0, 1000.0] but got -3.0E9",
                loadFailure(j -> ((ArrayNode) j.get("motion").get("mean")).set(2, -3e9)));
        assertEquals(file + ": field 'motion.std[0]' expected a value in [1.0E-6, 1000.0] but got 1.0E-30",
                loadFailure(j -> ((ArrayNode) j.get("motion").get("std")).set(0, 1e-30)));
        // Past float's range: finite as JSON, infinite as the float Parley would use.
        assertEquals(file + ": field 'motion.std[1]' expected a number within float range (|x| < 3.4e38) "
                + "but got 1.0E39",
                loadFailure(j -> ((ArrayNode) j.get("motion").get("std")).set(1, 1e39)));
        assertEquals(file + ": field 'sampling.guidance.audio' expected a number within float range (|x| < 3.4e38) "
                + "but got 1.0E300",
                loadFailure(j -> ((ObjectNode) j.get("sampling").get("guidance")).put("audio", 1e300)));
    }

    /** Issue 15, item 10: {@code models.*} could name any file on the machine. */
    @Test
    void graphPathsOutsideThePackFolderAreRefusedNamingTheField() throws IOException {
        Path file = dir.resolve("manifest.json");
        for (String bad : new String[] {"../denoiser.onnx", "models/../../denoiser.onnx", "/etc/passwd", "", "./"}) {
            String msg = loadFailure(j -> ((ObjectNode) j.get("models")).put("denoiser", bad));
            assertEquals(file + ": field 'models.denoiser' expected a file inside the pack folder (a relative path "
                    + "without '..') but got '" + bad + "'", msg, bad);
        }
        ObjectNode json = validManifest();
        ((ObjectNode) json.get("models")).put("styleEncoder", "graphs/style_encoder.onnx");
        assertEquals("graphs/style_encoder.onnx", PackManifest.load(write(json)).styleEncoderFile(),
                "a subfolder is inside");
    }

    @Test
    void sizesPastTheContractsLimitsAreRefused() throws IOException {
        Path file = dir.resolve("manifest.json");
        assertEquals(file + ": field 'window.current' expected an integer in [1, 10000] but got 2000000000",
                loadFailure(j -> ((ObjectNode) j.get("window")).put("current", 2_000_000_000)));
        assertEquals(file + ": field 'sampling.defaultSteps' expected an integer in [1, 4] but got 5",
                loadFailure(j -> ((ObjectNode) j.get("sampling")).put("defaultSteps", 5)));
        assertEquals(file + ": field 'audio.featureDim' expected an integer in [1, 4096] but got -1",
                loadFailure(j -> ((ObjectNode) j.get("audio")).put("featureDim", -1)));
    }

    @Test
    void dimsCarryTheManifestsSizes() {
        PackManifest m = read(validManifest());
        assertEquals(new ModelDims(16000, 640, 64, 100, 10, 56, 128, 100, 100), m.dims());
    }

    @Test
    void missingPackFolderIsNamed() {
        Path nowhere = Path.of("no-such-pack", "manifest.json");
        AssetFormatException e = assertThrows(AssetFormatException.class, () -> PackManifest.load(nowhere));
        assertEquals(nowhere + " does not exist: no model pack manifest there", e.getMessage());
    }
}
