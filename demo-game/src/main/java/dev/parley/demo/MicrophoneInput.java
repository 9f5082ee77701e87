package dev.parley.demo;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;

/**
 * The default microphone through javax.sound, 16 kHz mono 16-bit. A worker thread reads 20 ms
 * chunks into a queue; the render thread takes them with {@link #poll}. Where there is no
 * microphone, {@link #open()} returns null and {@link #problem()} says why.
 */
final class MicrophoneInput implements AutoCloseable {

    /** The capture rate, Parley's model rate. */
    static final int SAMPLE_RATE = 16000;

    private static final Logger LOG = Logger.getLogger(MicrophoneInput.class.getName());
    private static final AudioFormat FORMAT = new AudioFormat(SAMPLE_RATE, 16, 1, true, false);

    private final TargetDataLine line;
    private final ConcurrentLinkedQueue<float[]> chunks = new ConcurrentLinkedQueue<>();
    private final Thread reader;
    private volatile boolean running = true;

    private MicrophoneInput(TargetDataLine line) {
        this.line = line;
        reader = new Thread(this::read, "parley-microphone");
        reader.setDaemon(true);
    }

    /** @return null if a microphone can be opened, else a sentence for the panel saying why not */
    static String problem() {
        try {
            DataLine.Info info = new DataLine.Info(TargetDataLine.class, FORMAT);
            if (!AudioSystem.isLineSupported(info)) {
                return "No microphone found (16 kHz mono capture unsupported)";
            }
            return null;
        } catch (Throwable t) {
            return "No microphone: " + t.getMessage();
        }
    }

    /** @return an open, capturing microphone, or null if none can be opened (logged) */
    static MicrophoneInput open() {
        if (problem() != null) {
            return null;
        }
        try {
            TargetDataLine line = AudioSystem.getTargetDataLine(FORMAT);
            line.open(FORMAT, SAMPLE_RATE / 5 * 2);
            line.start();
            MicrophoneInput mic = new MicrophoneInput(line);
            mic.reader.start();
            return mic;
        } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
            LOG.warning("Microphone unavailable: " + e);
            return null;
        }
    }

    private void read() {
        byte[] bytes = new byte[SAMPLE_RATE / 50 * 2];
        while (running) {
            int n = line.read(bytes, 0, bytes.length);
            if (n <= 0) {
                continue;
            }
            float[] chunk = new float[n / 2];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8)) / 32768f;
            }
            chunks.add(chunk);
        }
    }

    /**
     * Hands every chunk captured since the last call to a consumer, oldest first.
     *
     * @param consumer receives chunks (not null; each array is the consumer's to keep)
     */
    void poll(Consumer<float[]> consumer) {
        float[] chunk;
        while ((chunk = chunks.poll()) != null) {
            consumer.accept(chunk);
        }
    }

    @Override
    public void close() {
        running = false;
        line.stop();
        line.close();
    }
}
