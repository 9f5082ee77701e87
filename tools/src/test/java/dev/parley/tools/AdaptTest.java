package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.audio.PcmClip;
import dev.parley.audio.WavReader;
import dev.parley.audio.WavWriter;
import dev.parley.pack.PackManifest;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterLoader;
import dev.parley.testing.LogCapture;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code adapt}: the real Python job ({@code python3 -m parley adapt}) fits a tiny pack's adapter to a 4.8 s
 * take in seconds, and the file it writes loads in the runtime's {@link AdapterLoader} and fits the pack. A
 * Python without PyTorch, a missing interpreter, a bad WAV, a wrong models folder and a take the job refuses each
 * give one clear message, exit 1, no stack trace, no file. The fixture (a tiny untrained pack and a take of
 * synthetic speech and motion) is written by {@code python3 -m parley.model.fixtures adapt-take}.
 *
 * <p>The Python is the one {@code scripts/test.sh} (CI) runs the Python tests with, Debian's {@value #CI_PYTHON}
 * with python3-torch, unless {@value PythonJob#PYTHON_ENV} names another.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AdaptTest {

    /** The interpreter scripts/test.sh uses. */
    static final String CI_PYTHON = "/usr/bin/python3";
    static final String PYTHON = System.getenv(PythonJob.PYTHON_ENV) != null
            ? System.getenv(PythonJob.PYTHON_ENV) : CI_PYTHON;
    private static final String NEEDS = "parley-tool: adapt needs Python 3.9+ with PyTorch "
            + "(python3-torch), but '";

    @TempDir
    static Path fixture;
    @TempDir
    Path tmp;

    private static Path pack;
    private static Path wav;
    private static Path npz;

    @BeforeAll
    static void writeTheTinyPackAndTake() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON, "-m", "parley.model.fixtures", "adapt-take", fixture.toString())
                .directory(Roots.root().resolve("models").toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the fixture: " + log);
        pack = fixture.resolve("tiny");
        wav = fixture.resolve("take.wav");
        npz = fixture.resolve("take.npz");
    }

    /** What one run printed. */
    record Run(int status, String out, String err) {
    }

    private static Run tool(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc;
        try (LogCapture log = LogCapture.all()) {
            rc = new ParleyTool(new PrintStream(o, true, StandardCharsets.UTF_8),
                    new PrintStream(e, true, StandardCharsets.UTF_8)).run(args);
            log.assertNone(Level.WARNING);
        }
        String err = e.toString(StandardCharsets.UTF_8);
        assertFalse(err.contains("Exception") || err.contains("\tat ") || err.contains("Traceback"),
                "no stack trace: " + err);
        return new Run(rc, o.toString(StandardCharsets.UTF_8), err);
    }

    private static String[] adapt(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("adapt", wav.toString(), npz.toString(), "--out", out.toString(),
                "--pack", pack.toString()));
        args.addAll(Arrays.asList(more));
        return args.toArray(String[]::new);
    }

    @Test
    void fitsATakeAndWritesAnAdapterTheRuntimeLoadsForThePack() throws IOException {
        Path out = tmp.resolve("adapters/npc.adapter");
        // No --python: the default (PARLEY_PYTHON, else /usr/bin/python3) is the Python CI installs torch for.
        Run r = tool(adapt(out, "--ranks", "1", "2", "--steps", "20", "--batch", "4", "--lr",
                "3e-3", "--seed", "3", "--threads", "1"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("] 20/20 loss "), "the progress bar ran to the end: " + r.err());

        Adapter adapter;
        try (InputStream in = Files.newInputStream(out)) {
            adapter = AdapterLoader.read(in, "npc.adapter");
        }
        PackManifest manifest = PackManifest.load(pack.resolve("manifest.json"));
        adapter.checkPack(manifest.id(), manifest.packVersion(), manifest.denoiserSha256());
        assertArrayEquals(new int[] {1, 2}, adapter.ranks());
        assertEquals(manifest.styleDim(), adapter.style().length);
        float largest = 0f;
        for (float f : adapter.factors()) {
            largest = Math.max(largest, Math.abs(f));
        }
        assertTrue(largest > 0f, "the fit moved the factors (a fresh adapter's up factors are zero)");

        assertTrue(r.out().startsWith("wrote " + out + ": "), r.out());
        assertTrue(r.out().contains("ranks 1+2 (3 x " + adapter.rowWidth() + " factors), pack tiny 0.0.0-untrained"),
                r.out());
        Matcher loss = Pattern.compile("take 4\\.8 s in 1 clip\\(s\\); take loss ([0-9.]+) before, ([0-9.]+) after")
                .matcher(r.out());
        assertTrue(loss.find(), r.out());
        assertTrue(Double.parseDouble(loss.group(2)) < Double.parseDouble(loss.group(1)), "the fit lowered the "
                + "take's loss: " + r.out());
        assertTrue(r.out().contains("checked: AdapterLoader reads it and it fits the pack"), r.out());

        AssetFormatException other = org.junit.jupiter.api.Assertions.assertThrows(AssetFormatException.class,
                () -> adapter.checkPack(manifest.id(), manifest.packVersion(), "00".repeat(32)));
        assertTrue(other.getMessage().contains("pack.denoiserSha256"), other.getMessage());
    }

    @Test
    void aPythonWithoutTorchIsRefusedSayingWhatIsNeeded() throws IOException {
        // A real Python 3 that cannot see Debian's dist-packages (-S: no site module), so no torch.
        Path bare = tmp.resolve("bare-python3");
        Files.writeString(bare, "#!/bin/sh\nexec " + PYTHON + " -S \"$@\"\n");
        Files.setPosixFilePermissions(bare, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = tmp.resolve("npc.adapter");
        Run r = tool(adapt(out, "--python", bare.toString()));
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith(NEEDS + bare + "' (Python 3."), r.err());
        assertTrue(r.err().contains(") cannot import torch: install it (Debian: apt-get install python3-torch), or "
                + "pass --python PATH or set PARLEY_PYTHON to a Python that has it"), r.err());
        assertFalse(Files.exists(out));
    }

    @ParameterizedTest
    @CsvSource({
        "/bin/false, exited with status 1 without saying its Python version (is it Python?): pass --python PATH or "
            + "set PARLEY_PYTHON",
        "/nonexistent/python3, cannot be run (No such file or directory): pass --python PATH or set PARLEY_PYTHON"})
    void aMissingOrWrongInterpreterIsRefusedSayingWhatIsNeeded(String python, String why) {
        Path out = tmp.resolve("npc.adapter");
        Run r = tool(adapt(out, "--python", python));
        assertEquals(1, r.status(), r.err());
        assertEquals(NEEDS + python + "' " + why + "\n", r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aFolderThatIsNotTheModelsFolderIsRefused() {
        Run r = tool(adapt(tmp.resolve("npc.adapter"), "--python", PYTHON, "--models", tmp.toString()));
        assertEquals(1, r.status(), r.err());
        assertEquals("parley-tool: " + tmp + " is not Parley's models folder (no parley/__main__.py): pass --models "
                + "DIR or set PARLEY_MODELS\n", r.err());
    }

    @Test
    void aBadWavIsRefusedNamingTheFileBeforePythonRuns() throws IOException {
        Path bad = tmp.resolve("bad.wav");
        Files.writeString(bad, "not a wave file at all, just some text");
        Path out = tmp.resolve("npc.adapter");
        // /bin/false as the interpreter: the WAV is refused before any Python is asked.
        Run r = tool("adapt", bad.toString(), npz.toString(), "--out", out.toString(), "--pack", pack.toString(),
                "--python", "/bin/false");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("parley-tool: 'bad.wav': "), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aTakeTheJobRefusesIsReportedWithTheJobsMessage() throws IOException {
        PcmClip clip = WavReader.read(wav);
        float[] half = Arrays.copyOf(clip.samples(), clip.samples().length / 2);
        Path folder = Files.createDirectories(tmp.resolve("short"));
        Path shortWav = folder.resolve("take.wav");
        WavWriter.write(shortWav, new float[][] {half}, clip.sampleRate(), WavWriter.Encoding.PCM_16);
        Files.copy(npz, folder.resolve("take.npz"));
        Path out = tmp.resolve("npc.adapter");
        Run r = tool("adapt", shortWav.toString(), folder.resolve("take.npz").toString(), "--out", out.toString(),
                "--pack", pack.toString(), "--python", PYTHON);
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("\nparley-tool: " + shortWav.toAbsolutePath() + ": length: expected 120 frames "
                + "(4.80 s) as take.npz's motion but got 60.0 frames (2.40 s)\n"), r.err());
        assertFalse(Files.exists(out));
    }

    @ParameterizedTest
    @CsvSource(quoteCharacter = '"', value = {
        "--steps, 0, \"--steps must be an integer in [1, 100000] but is '0'\"",
        "--ranks, x, \"--ranks needs one to 8 ranks, e.g. --ranks 2 8 32\"",
        "--ranks, 0, \"--ranks must be an integer in [1, 512] but is '0'\"",
        "--lr, 0, \"--lr must be greater than 0 but is '0'\"",
        "--seed, -1, \"--seed must be an integer in [0, 2147483647] but is '-1'\""})
    void aBadOptionIsAUsageError(String option, String value, String message) {
        Run r = tool(adapt(tmp.resolve("npc.adapter"), option, value));
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("parley-tool: " + message + "\n"), r.err());
    }
}
