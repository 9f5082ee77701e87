package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.AnimClip;
import com.jme3.anim.AnimComposer;
import com.jme3.anim.Joint;
import com.jme3.anim.SkinningControl;
import com.jme3.asset.AssetManager;
import com.jme3.asset.DesktopAssetManager;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.export.binary.BinaryImporter;
import com.jme3.math.Quaternion;
import com.jme3.scene.Spatial;
import dev.parley.anim.BakedFaceControl;
import dev.parley.anim.FaceClips;
import dev.parley.app.LineOptions;
import dev.parley.audio.PcmClip;
import dev.parley.generation.MotionWindow;
import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.motion.MotionTrack;
import dev.parley.pack.ParleyPack;
import dev.parley.rig.FaceRig;
import dev.parley.rig.RigNames;
import dev.parley.sampler.Guidance;
import dev.parley.service.InferenceService;
import dev.parley.service.LineJob;
import dev.parley.service.Networks;
import dev.parley.service.ServiceSettings;
import dev.parley.features.LineAudio;
import dev.parley.style.Style;
import dev.parley.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code bake}: a folder with a bad file bakes the rest and reports it; a baked clip, saved, loaded,
 * retargeted and played by an AnimComposer, poses the head like the live runtime's motion for the
 * same line, style and seed (every frame within 1e-4).
 */
class BakeTest {

    private static final String LINE = "thanks.ogg";
    private static final int STEPS = 3;
    private static final long SEED = 42L;

    @TempDir
    Path tmp;

    @Test
    void aFolderWithABadFileBakesTheRestAndSaysWhichFailed() throws IOException {
        Path lines = Files.createDirectories(tmp.resolve("lines"));
        Files.copy(dialogue(LINE), lines.resolve(LINE));
        Files.copy(dialogue("hush.ogg"), lines.resolve("hush.ogg"));
        byte[] junk = new byte[3000];
        new Random(7).nextBytes(junk);
        Files.write(lines.resolve("broken.ogg"), junk);
        Path out = tmp.resolve("clips");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = new ParleyTool(new PrintStream(o, true), new PrintStream(e, true))
                .run("bake", lines.toString(), "--style",
                Roots.assets().resolve("Styles/calm.style.json").toString(), "--out", out.toString(), "--steps",
                String.valueOf(STEPS));
        String summary = o.toString();
        assertEquals(1, rc, "one line failed: " + summary + e);
        assertTrue(summary.contains("baked 2 of 3"), summary);
        assertTrue(summary.contains("failed: broken.ogg"), summary);
        assertTrue(e.toString().contains("3/3"), "progress bar: " + e);
        assertTrue(Files.size(out.resolve("thanks.j3o")) > 1000 && Files.size(out.resolve("hush.j3o")) > 1000);
        assertTrue(Files.size(out.resolve("thanks.j3o")) < 2_000_000, "no mesh in the clip: "
                + Files.size(out.resolve("thanks.j3o")));
    }

    /**
     * Issue 15 item 13: numbers out of range (Infinity, NaN, 0 steps) are usage errors naming the option
     * and its range, found before any work: nothing is written.
     */
    @ParameterizedTest
    @CsvSource(quoteCharacter = '"', value = {
        "--guidance-rescale, 1.5, \"--guidance-rescale must be a finite number in [0, 1] but is '1.5'\"",
        "--audio-guidance, Infinity, \"--audio-guidance must be a finite number in [0, 50] but is 'Infinity'\"",
        "--audio-guidance, NaN, \"--audio-guidance must be a finite number in [0, 50] but is 'NaN'\"",
        "--style-guidance, -1, \"--style-guidance must be a finite number in [0, 50] but is '-1'\"",
        "--style-guidance, 1e99, \"--style-guidance must be a finite number in [0, 50] but is '1e99'\"",
        "--steps, 0, \"--steps must be an integer in [1, 1000] but is '0'\"",
        "--steps, 1001, \"--steps must be an integer in [1, 1000] but is '1001'\"",
        "--seed, 1.5, \"--seed must be an integer in [-9223372036854775808, 9223372036854775807] but is '1.5'\""})
    void aNumberOutOfRangeIsAUsageErrorNamingTheOptionAndRange(String option, String value, String message) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = new ParleyTool(new PrintStream(new ByteArrayOutputStream()), new PrintStream(e, true)).run("bake",
                dialogue(LINE).toString(), "--style", Roots.assets().resolve("Styles/calm.style.json").toString(),
                "--out", tmp.resolve("clips").toString(), option, value);
        assertEquals(2, rc, e.toString());
        assertTrue(e.toString().contains("parley-tool: " + message), e.toString());
        assertFalse(Files.exists(tmp.resolve("clips")), "nothing written");
    }

    /**
     * Issue 15 item 3: a WAV whose header claims about 2 GB of samples made jME's loader allocate them; in a
     * JVM whose direct memory is smaller (as on a modder's machine) the OutOfMemoryError ended the batch.
     * Bake reads WAVs with {@link dev.parley.audio.WavReader}, which checks the header against the file
     * before allocating: the line fails as truncated, and the line after it is still baked.
     */
    @Test
    void aWavClaimingTwoGigabytesFailsItsLineAndTheBatchGoesOn() throws Exception {
        Path lines = Files.createDirectories(tmp.resolve("lines"));
        Files.write(lines.resolve("a_huge.wav"), wav16(tone(800, 16000), 16000, 0x7FFF_FFF0L));
        Files.copy(dialogue(LINE), lines.resolve(LINE));
        Path out = tmp.resolve("clips");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxDirectMemorySize=256m", "-Dparley.root=" + Roots.root(), "-cp",
                System.getProperty("java.class.path"),
                ParleyTool.class.getName(), "bake", lines.toString(), "--style",
                Roots.assets().resolve("Styles/calm.style.json").toString(), "--out", out.toString(), "--steps",
                String.valueOf(STEPS)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), output);
        assertEquals(1, p.exitValue(), "one line failed:\n" + output);
        assertTrue(output.contains("baked 1 of 2 line(s)"), output);
        assertTrue(output.contains("  failed: a_huge.wav: is truncated: header says 2147483632 bytes of data, file "
                + "has 1600"),
                output);
        assertTrue(output.contains("  baked: thanks.ogg -> thanks.j3o"), output);
        assertFalse(output.contains("\tat "), "no stack trace: " + output);
        assertTrue(Files.size(out.resolve("thanks.j3o")) > 1000, "the later valid line was baked");
        assertFalse(Files.exists(out.resolve("a_huge.j3o")));
    }

    /**
     * Issue 15 item 5: {@code line.wav}, {@code line.ogg} and {@code LINE.OGG} would all be baked to one clip
     * ({@code line.j3o} on a case-insensitive file system); each fails naming the others, nothing is
     * overwritten, and the line with a name of its own is baked.
     */
    @Test
    void linesWhoseClipNamesCollideFailNamingEachOther() throws IOException {
        Path lines = Files.createDirectories(tmp.resolve("lines"));
        PcmClip hush = Bake.readAudio(dialogue("hush.ogg"));
        Files.write(lines.resolve("line.wav"), wav16(hush.samples(), hush.sampleRate(), -1));
        Files.copy(dialogue(LINE), lines.resolve("line.ogg"));
        Files.copy(dialogue("gold.ogg"), lines.resolve("LINE.OGG"));
        Files.copy(dialogue("hush.ogg"), lines.resolve("other.ogg"));
        Path out = tmp.resolve("clips");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = new ParleyTool(new PrintStream(o, true), new PrintStream(e, true)).run("bake", lines.toString(),
                "--style",
                Roots.assets().resolve("Styles/calm.style.json").toString(), "--out", out.toString(), "--steps",
                        String.valueOf(STEPS));
        String summary = o.toString();
        assertEquals(1, rc, summary + e);
        assertTrue(summary.contains("baked 1 of 4 line(s)"), summary);
        assertTrue(summary.contains("  failed: line.wav: would be baked to line.j3o like LINE.OGG, line.ogg"), summary);
        assertTrue(summary.contains("  failed: line.ogg: would be baked to line.j3o like LINE.OGG, line.wav"), summary);
        assertTrue(summary.contains("  failed: LINE.OGG: would be baked to LINE.j3o like line.ogg, line.wav"), summary);
        assertTrue(summary.contains("  baked: other.ogg -> other.j3o"), summary);
        try (var files = Files.list(out)) {
            assertEquals(List.of("other.j3o"), files.map(f -> f.getFileName().toString()).toList(),
                    "nothing overwritten");
        }
    }

    @Test
    void aBakedClipPlaysBackLikeTheLiveRuntime() throws Exception {
        AssetManager am = new DesktopAssetManager(true);
        am.registerLocator(Roots.assets().toString(), FileLocator.class);
        HeadSpec spec = HeadSpec.load(am, "Models/ParleyHead/ParleyHead.spec.json");
        RigNames names = RigNames.fromSpec(spec);
        Style style = ParleyTool.readStyle(Roots.assets().resolve("Styles/cheerful.style.json"));
        PcmClip clip = Bake.readAudio(dialogue(LINE));

        Path j3o = tmp.resolve("line.j3o");
        try (ParleyPack pack = ParleyTool.openPack(Roots.root().resolve(ParleyTool.DEFAULT_PACK))) {
            // Baked: the tool's path, through a saved and reloaded .j3o.
            try (LineBaker baker = new LineBaker(pack)) {
                LineBaker.Result r = baker.generate(clip, style,
                        LineOptions.DEFAULTS.withSteps(STEPS).withGuidance(2f, 1.5f).withSeed(SEED));
                Spatial source = am.loadModel("Models/ParleyHead/ParleyHead.glb");
                AnimClip built = FaceClips.build("line", r.motion(), r.frames(), pack.manifest().motion(), source,
                        names);
                com.jme3.export.binary.BinaryExporter.getInstance().save(FaceClips.detached(built), j3o.toFile());
            }
            // Live: what TalkingHead does for say(pcm, rate, options with the seed, not adaptive).
            MotionTrack live = liveTrack(pack, clip, style);

            Spatial bakedHead = am.loadModel("Models/ParleyHead/ParleyHead.glb");
            AnimClip loaded;
            try (LogCapture log = LogCapture.all()) {
                loaded = FaceClips.retarget((AnimClip) BinaryImporter.getInstance().load(j3o.toFile()), bakedHead);
                log.assertNone(Level.SEVERE);
            }
            SkinningControl skin = find(bakedHead);
            AnimComposer composer = new AnimComposer();
            skin.getSpatial().addControlAt(0, composer);
            FaceClips.addTo(composer, loaded);
            BakedFaceControl baked = BakedFaceControl.attach(bakedHead, names);
            composer.setCurrentAction("line");

            Spatial liveHead = am.loadModel("Models/ParleyHead/ParleyHead.glb");
            FaceRig liveRig = FaceRig.bind(liveHead, names);
            MotionFrame frame = new MotionFrame(spec.expressionNames().size());

            int frames = live.frameCount();
            assertTrue(frames > 25, "a line of motion: " + frames);
            float[] weights = new float[frame.expressionCount()];
            double worst = 0;
            Joint[] bakedJoints = {baked.getRig().getJoint(FaceJoint.JAW), baked.getRig().getJoint(FaceJoint.HEAD)};
            Joint[] liveJoints = {liveRig.getJoint(FaceJoint.JAW), liveRig.getJoint(FaceJoint.HEAD)};
            for (int k = 0; k < frames - 1; k++) {
                float t = k / 25f;
                composer.setTime(t);
                bakedHead.updateLogicalState(0f);
                baked.getWeights(weights);
                frame.setNeutral();
                live.sample(t, frame);
                liveRig.apply(frame);
                for (int i = 0; i < weights.length; i++) {
                    worst = Math.max(worst, Math.abs(weights[i] - frame.expression(i)));
                }
                for (int j = 0; j < 2; j++) {
                    Quaternion a = bakedJoints[j].getLocalRotation();
                    Quaternion b = liveJoints[j].getLocalRotation();
                    float sign = Math.signum(a.dot(b)) < 0 ? -1f : 1f;
                    worst = Math.max(worst, Math.abs(a.getX() - sign * b.getX()));
                    worst = Math.max(worst, Math.abs(a.getY() - sign * b.getY()));
                    worst = Math.max(worst, Math.abs(a.getZ() - sign * b.getZ()));
                    worst = Math.max(worst, Math.abs(a.getW() - sign * b.getW()));
                }
            }
            System.out.printf("baked vs live over %d frames: max difference %.2e%n", frames - 1, worst);
            assertTrue(worst < 1e-4, "baked playback matches live motion within 1e-4 per frame, worst " + worst);
        }
    }

    /** The runtime's own service on a line, collected into a track as TalkingHead collects it. */
    private static MotionTrack liveTrack(ParleyPack pack, PcmClip clip, Style style) throws InterruptedException {
        var m = pack.manifest();
        InferenceService service = new InferenceService(m, () -> Networks.of(pack),
                ServiceSettings.defaults().withPreferCuda(false)
                .withIntraOpThreads(1), "live");
        service.start();
        try {
            LineJob job =
                    new LineJob(LineAudio.clip("pcm line", clip.samples().clone(), clip.sampleRate(), m.sampleRate(),
                    m.samplesPerFrame()), style.embedding(), STEPS, new Guidance(2f, 1.5f, m.guidanceRescale()), SEED,
                    false);
            service.submit(job);
            MotionTrack track = new MotionTrack(m.motion(), m.windowFrames());
            float playhead = 0f;
            while (true) {
                boolean done = job.isGenerationDone();
                for (MotionWindow w; (w = job.pollWindow()) != null;) {
                    track.append(w.motion(), 0, w.frames());
                }
                if (job.failure() != null) {
                    throw new AssertionError("live line failed", job.failure());
                }
                if (done) {
                    return track;
                }
                playhead = Math.max(playhead, track.duration() - 1f);
                job.setPlayhead(playhead, true); // the render thread's playhead keeps generation going
                Thread.sleep(5);
            }
        } finally {
            service.close();
        }
    }

    private static SkinningControl find(Spatial model) {
        SkinningControl[] found = new SkinningControl[1];
        model.depthFirstTraversal(s -> {
            if (found[0] == null && s.getControl(SkinningControl.class) != null) {
                found[0] = s.getControl(SkinningControl.class);
            }
        });
        return found[0];
    }

    /** A sine tone: a stand-in line that is not silent. */
    static float[] tone(int samples, int rate) {
        float[] s = new float[samples];
        for (int i = 0; i < samples; i++) {
            s[i] = 0.5f * (float) Math.sin(2 * Math.PI * 220 * i / rate);
        }
        return s;
    }

    /**
     * @param samples mono samples in [-1, 1]
     * @param rate the sample rate
     * @param declaredDataBytes what the header's data chunk claims, or -1 for the truth
     * @return a 16-bit PCM WAV file's bytes
     */
    static byte[] wav16(float[] samples, int rate, long declaredDataBytes) {
        int data = 2 * samples.length;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + data)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(rate).putInt(2 * rate).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) (declaredDataBytes < 0 ? data
                : declaredDataBytes));
        for (float v : samples) {
            b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, v)) * 32767));
        }
        return b.array();
    }

    static Path dialogue(String file) {
        return Roots.assets().resolve("Sounds/Dialogue").resolve(file);
    }
}
