package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.asset.DesktopAssetManager;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioKey;
import dev.parley.audio.AudioDataReader;
import dev.parley.audio.PcmClip;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's sound reaches an audio device. The demo runs in a JVM of its own ({@link SayOneLine}: its
 * own settings, device probe and cast) with OpenAL Soft (LWJGL's libopenal) told by {@code ALSOFT_CONF}
 * and {@code ALSOFT_DRIVERS} to use its wave-file writer as the output device; the first character
 * says a line, and the file must hold that line: the source clip's waveform, at its level, once.
 * With no output device at all (a driver list naming none that exists), the demo must run silent
 * with one clear log line, still animate the line, and exit cleanly.
 */
class DemoAudioDeviceTest {

    private static final String LINE = "greeting";
    private static final int RATE = 16000; // the dialogue clips' rate: the device then plays them unresampled
    private static final int HOP = RATE / 100; // 10 ms envelope hops

    @TempDir
    Path dir;

    @Test
    void theModelsLinePlaysThroughTheDevice() throws Exception {
        Displays.require();
        Path wave = dir.resolve("device.wav");
        Path conf = write("wave.conf", "[general]\ndrivers=wave\nchannels=mono\nsample-type=int16\nfrequency=" + RATE
                + "\n[wave]\nfile=" + wave.toAbsolutePath() + "\n");
        String out = runDemo(conf, "wave", "model");
        assertTrue(out.contains("RESULT audio=true talked=true"),
                "the demo made an audio renderer and said the line:\n" + out);
        assertTrue(Files.size(wave) > 44, "OpenAL Soft wrote " + wave);

        float[] recorded = readMono16(wave);
        float[] source = sourceClip();
        float[] rec = envelope(recorded);
        float[] src = envelope(source);
        int lagHops = bestLag(rec, src);
        int lag = refineLag(recorded, source, lagHops * HOP);
        double correlation = correlation(recorded, lag, source);
        double inLine = energy(recorded, lag, lag + source.length);
        double energyRatio = inLine / energy(source, 0, source.length);
        double outside = energy(recorded, 0, lag) + energy(recorded, lag + source.length, recorded.length);
        float[] span = activeSpan(source);
        float[] heard = activeSpan(recorded);
        String report = String.format("recorded %.2f s, line %.2f s starting at %.3f s; waveform correlation %.4f; "
                + "energy recorded/source %.3f; energy outside the line %.2e of it; active %.2f s (source %.2f s)",
                recorded.length / (float) RATE, source.length / (float) RATE, lag / (float) RATE, correlation,
                energyRatio, outside / inLine, heard[1] - heard[0], span[1] - span[0]);
        System.out.println("demo audio on the wave device: " + report);
        assertTrue(lag >= 0 && lag + source.length <= recorded.length, "the whole line reached the device: " + report);
        assertTrue(correlation > 0.95, "the device played the line's own waveform: " + report);
        assertTrue(energyRatio > 0.8 && energyRatio < 1.25, "at the clip's level (gain 1): " + report);
        assertTrue(outside < 0.01 * inLine, "nothing else was played (the line once): " + report);
        assertEquals(span[1] - span[0], heard[1] - heard[0], 0.05f, "sound lasts as long as the line's: " + report);
    }

    @Test
    void withoutAnOutputDeviceTheDemoRunsSilentWithOneLogLine() throws Exception {
        Displays.require();
        Path conf = write("none.conf", "[general]\ndrivers=no-such-driver\n");
        String out = runDemo(conf, "no-such-driver", "energy");
        assertTrue(out.contains("RESULT audio=false talked=true"), "silent, and the line still animated:\n" + out);
        long lines = out.lines().filter(l -> l.contains("No audio output device: the demo runs silent")).count();
        assertEquals(1, lines, "one log line says why:\n" + out);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("SEVERE") || l.contains("Exception")), "no error:\n" + out);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    /** Runs {@link SayOneLine} with OpenAL Soft's configuration; returns its output (asserting exit 0). */
    private String runDemo(Path conf, String drivers, String driver) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", classpath));
        if (System.getProperty("parley.root") != null && !System.getProperty("parley.root").isBlank()) {
            command.add("-Dparley.root=" + System.getProperty("parley.root"));
        }
        command.addAll(List.of(SayOneLine.class.getName(), LINE, driver));
        File log = dir.resolve(driver + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        Map<String, String> env = pb.environment();
        env.put("ALSOFT_CONF", conf.toAbsolutePath().toString());
        env.put("ALSOFT_DRIVERS", drivers); // over any user or system configuration
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String out = Files.readString(log.toPath());
        assertEquals(0, p.isAlive() ? -1 : p.exitValue(), "the demo exits cleanly within 240 s:\n" + out);
        return out;
    }

    /** The line as the demo ships it, decoded by jME. */
    private static float[] sourceClip() {
        DesktopAssetManager assets = new DesktopAssetManager(true);
        assets.registerLocator(DemoAssets.folder().toString(), FileLocator.class);
        String path = "Sounds/Dialogue/" + LINE + ".ogg";
        AudioData data = assets.loadAudio(new AudioKey(path, false));
        PcmClip clip = AudioDataReader.read(data, path);
        assertEquals(RATE, clip.sampleRate(), "the clip's rate");
        return clip.samples();
    }

    /** A 16-bit mono PCM wave file's samples; checks its format is the one configured. */
    private static float[] readMono16(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", tag(b, 0), file + " is a RIFF file");
        assertEquals("WAVE", tag(b, 8), file + " is a wave file");
        int at = 12;
        int dataAt = -1;
        int dataSize = 0;
        while (at + 8 <= b.limit() && dataAt < 0) {
            String id = tag(b, at);
            int size = b.getInt(at + 4);
            if (id.equals("fmt ")) {
                int format = b.getShort(at + 8) & 0xffff;
                assertTrue(format == 1 || format == 0xfffe, "PCM, not format " + format);
                assertEquals(1, b.getShort(at + 10), "channels (configured mono)");
                assertEquals(RATE, b.getInt(at + 12), "sample rate (configured)");
                assertEquals(16, b.getShort(at + 22), "bits per sample (configured int16)");
            } else if (id.equals("data")) {
                dataAt = at + 8;
                // The writer fills in the size on closing; take what is there if it did not.
                dataSize = size <= 0 || dataAt + size > b.limit() ? b.limit() - dataAt : size;
            }
            at += 8 + size + (size & 1);
        }
        assertTrue(dataAt > 0, file + " has a data chunk");
        float[] out = new float[dataSize / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getShort(dataAt + 2 * i) / 32768f;
        }
        return out;
    }

    private static String tag(ByteBuffer b, int at) {
        byte[] four = new byte[4];
        b.get(at, four);
        return new String(four, StandardCharsets.US_ASCII);
    }

    /** RMS per 10 ms hop. */
    private static float[] envelope(float[] x) {
        float[] e = new float[x.length / HOP];
        for (int h = 0; h < e.length; h++) {
            e[h] = (float) Math.sqrt(energy(x, h * HOP, (h + 1) * HOP) / HOP);
        }
        return e;
    }

    /** The hop lag of {@code src} in {@code rec} with the largest envelope cross-correlation. */
    private static int bestLag(float[] rec, float[] src) {
        int best = 0;
        double bestScore = -1;
        for (int lag = 0; lag + src.length <= rec.length; lag++) {
            double s = 0;
            for (int i = 0; i < src.length; i++) {
                s += rec[lag + i] * src[i];
            }
            if (s > bestScore) {
                bestScore = s;
                best = lag;
            }
        }
        return best;
    }

    /** The sample lag within a hop of {@code around} with the best waveform correlation. */
    private static int refineLag(float[] recorded, float[] source, int around) {
        int best = around;
        double bestScore = -2;
        int last = Math.min(around + HOP, recorded.length - source.length);
        for (int lag = Math.max(0, around - HOP); lag <= last; lag++) {
            double c = correlation(recorded, lag, source);
            if (c > bestScore) {
                bestScore = c;
                best = lag;
            }
        }
        return best;
    }

    /** Normalised correlation of the source with the recording from {@code lag} on (zero past its end). */
    private static double correlation(float[] recorded, int lag, float[] source) {
        double xy = 0;
        double yy = 0;
        for (int i = 0; i < source.length && lag + i < recorded.length; i++) {
            xy += recorded[lag + i] * source[i];
            yy += recorded[lag + i] * (double) recorded[lag + i];
        }
        return xy / Math.sqrt(yy * energy(source, 0, source.length) + 1e-20);
    }

    private static double energy(float[] x, int from, int to) {
        double s = 0;
        for (int i = Math.max(0, from); i < Math.min(x.length, to); i++) {
            s += x[i] * (double) x[i];
        }
        return s;
    }

    /** Seconds from the first to the last 10 ms hop within 40 dB of the loudest. */
    private static float[] activeSpan(float[] x) {
        float[] e = envelope(x);
        float peak = 0f;
        for (float v : e) {
            peak = Math.max(peak, v);
        }
        int first = -1;
        int last = -1;
        for (int h = 0; h < e.length; h++) {
            if (e[h] > 0.01f * peak) {
                first = first < 0 ? h : first;
                last = h;
            }
        }
        return new float[] {first * HOP / (float) RATE, (last + 1) * HOP / (float) RATE};
    }
}
