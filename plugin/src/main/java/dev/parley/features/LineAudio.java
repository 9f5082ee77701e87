package dev.parley.features;

import dev.parley.audio.AudioInputException;
import dev.parley.audio.PcmReader;
import dev.parley.audio.Resampler;
import dev.parley.util.Validate;
import java.util.Arrays;

/**
 * One line's mono audio, cut into the audio encoder's windows at the pack's rate. The audio is either
 * a whole clip (adopted, not copied), PCM written in chunks by a producer on any thread (streamed
 * TTS, a voice decoded on the fly), or pulled piece by piece from a {@link PcmReader} (a long line
 * decoded as it is needed). It is resampled window by window, so a long line is never converted
 * whole, and audio already cut into windows is dropped (streams and readers hold only what has not
 * been animated yet).
 *
 * <p>Threads: {@link #write} and {@link #finish} may be called from any thread; everything else is
 * the consumer's (the inference worker). The lock is held only to copy samples, never to resample.
 */
public final class LineAudio {

    /** Peak level below which a whole line counts as silent (-60 dBFS). */
    public static final float SILENCE_PEAK = 1e-3f;

    private static final int PULL_CHUNK = 8192;

    private final String name;
    private final int sourceRate;
    private final int samplesPerFrame;
    private final Resampler resampler;
    private final boolean adopted;
    private final PcmReader reader;

    // Guarded by this: source-rate samples [bufStart, bufStart + bufLen) live in buf[0, bufLen).
    private float[] buf;
    private long bufStart;
    private int bufLen;
    private long totalIn;
    private boolean complete;
    private float peak;
    private long badSample = -1;
    private float badValue;

    // Consumer only.
    private long nextOut;
    private float[] scratch = new float[0];
    private float[] pulled;

    private LineAudio(String name, int sourceRate, int targetRate, int samplesPerFrame, float[] clip,
            PcmReader reader) {
        this.name = Validate.nonNull(name, "name");
        this.sourceRate = Validate.inRange(sourceRate, 1, 1_000_000, "sourceRate");
        Validate.inRange(targetRate, 1, 1_000_000, "targetRate");
        this.samplesPerFrame = Validate.inRange(samplesPerFrame, 1, 1 << 20, "samplesPerFrame");
        this.resampler = sourceRate == targetRate ? null : new Resampler(sourceRate, targetRate);
        this.reader = reader;
        this.adopted = clip != null;
        if (adopted) {
            buf = clip;
            bufLen = clip.length;
            totalIn = clip.length;
            complete = true;
            peak = -1f; // measured on first use, on the worker
        } else {
            buf = new float[4096];
        }
    }

    /**
     * A whole clip. The array is adopted, not copied: do not modify it afterwards.
     *
     * @param name the line's name for messages (not null)
     * @param samples mono samples in [-1, 1] (not null; ownership passes to this object)
     * @param sampleRate the clip's rate (&gt;0)
     * @param targetRate the pack's rate (&gt;0)
     * @param samplesPerFrame target-rate samples per motion frame (&gt;0)
     * @return new line audio, complete (not null)
     */
    public static LineAudio clip(String name, float[] samples, int sampleRate, int targetRate, int samplesPerFrame) {
        return new LineAudio(name, sampleRate, targetRate, samplesPerFrame, Validate.nonNull(samples, "samples"), null);
    }

    /**
     * Audio written in chunks with {@link #write} and ended with {@link #finish}.
     *
     * @param name the line's name for messages (not null)
     * @param sampleRate the producer's rate (&gt;0)
     * @param targetRate the pack's rate (&gt;0)
     * @param samplesPerFrame target-rate samples per motion frame (&gt;0)
     * @return new, empty line audio (not null)
     */
    public static LineAudio stream(String name, int sampleRate, int targetRate, int samplesPerFrame) {
        return new LineAudio(name, sampleRate, targetRate, samplesPerFrame, null, null);
    }

    /**
     * Audio pulled from a reader by the consumer as windows need it.
     *
     * @param name the line's name for messages (not null)
     * @param reader the source (not null; read and closed by this object's consumer)
     * @param targetRate the pack's rate (&gt;0)
     * @param samplesPerFrame target-rate samples per motion frame (&gt;0)
     * @return new line audio (not null)
     */
    public static LineAudio pull(String name, PcmReader reader, int targetRate, int samplesPerFrame) {
        Validate.nonNull(reader, "reader");
        return new LineAudio(name, reader.sampleRate(), targetRate, samplesPerFrame, null, reader);
    }

    /** @return the line's name (not null) */
    public String name() {
        return name;
    }

    /** @return true for audio written by a producer while the line plays ({@link #stream}) */
    public boolean isStream() {
        return !adopted && reader == null;
    }

    /** @return the rate the audio arrives at */
    public int sourceRate() {
        return sourceRate;
    }

    /**
     * Appends samples (streams only). Any thread.
     *
     * @param samples mono samples in [-1, 1] (not null, unaffected: copied)
     * @param offset the first sample to take
     * @param length samples to take (&ge;0)
     * @throws IllegalStateException if the audio is a clip, a reader's, or already finished
     */
    public synchronized void write(float[] samples, int offset, int length) {
        Validate.nonNull(samples, "samples");
        if (offset < 0 || length < 0 || offset + length > samples.length) {
            throw new IllegalArgumentException("cannot take " + length + " samples at " + offset + " from "
                    + samples.length);
        }
        if (adopted || reader != null) {
            throw new IllegalStateException("'" + name + "' is not a stream: it cannot be written to");
        }
        append(samples, offset, length);
    }

    private void append(float[] samples, int offset, int length) {
        assert Thread.holdsLock(this);
        if (complete) {
            throw new IllegalStateException("'" + name + "' is finished: no more audio can be written");
        }
        if (bufLen + length > buf.length) {
            long keep = keepFrom();
            int drop = (int) Math.max(0, Math.min(bufLen, keep - bufStart));
            System.arraycopy(buf, drop, buf, 0, bufLen - drop);
            bufLen -= drop;
            bufStart += drop;
            if (bufLen + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(bufLen + length, 2 * buf.length));
            }
        }
        float p = peak;
        for (int i = 0; i < length; i++) {
            float v = samples[offset + i];
            buf[bufLen + i] = v;
            if (Float.isFinite(v)) {
                p = Math.max(p, Math.abs(v));
            } else if (badSample < 0) {
                badSample = totalIn + i;
                badValue = v;
            }
        }
        peak = p;
        bufLen += length;
        totalIn += length;
    }

    /** Marks the end of a stream. Any thread; idempotent. */
    public synchronized void finish() {
        complete = true;
    }

    /** @return true once the audio's end is known (a clip, a finished stream, a drained reader) */
    public synchronized boolean isComplete() {
        return complete;
    }

    /** @return the samples the line's buffer can hold now: what it keeps of the audio (for memory checks) */
    public synchronized int bufferCapacity() {
        return buf.length;
    }

    /** @return source-rate samples received so far */
    public synchronized long samplesReceived() {
        return totalIn;
    }

    /**
     * The peak level of the whole line when it is known: for a clip (measured on first call), a
     * reader that knows it, or a finished stream. Consumer only.
     *
     * @return the peak absolute sample value, or -1 if not known yet
     */
    public float knownPeak() {
        if (reader != null && reader.knownPeak() >= 0f) {
            return reader.knownPeak();
        }
        synchronized (this) {
            scanClip();
            return complete ? Math.max(peak, 0f) : -1f;
        }
    }

    /** Measures an adopted clip once: its peak and its first non-finite sample. */
    private void scanClip() {
        assert Thread.holdsLock(this);
        if (adopted && peak < 0f) {
            float p = 0f;
            for (int i = 0; i < bufLen; i++) {
                float v = buf[i];
                if (Float.isFinite(v)) {
                    p = Math.max(p, Math.abs(v));
                } else if (badSample < 0) {
                    badSample = i;
                    badValue = v;
                }
            }
            peak = p;
        }
    }

    /** @return target-rate samples of the whole line, or -1 while the end is unknown */
    public synchronized long totalSamples() {
        return complete ? outLength(totalIn) : -1;
    }

    /**
     * Frames of audio ready for the next window, pulling from the reader if there is one. At the end
     * of a line the last partial frame counts as a frame. Consumer only.
     *
     * @param wanted pull until this many frames are ready (or the audio ends)
     * @return whole frames that {@link #read} can cut now
     * @throws AudioInputException if the reader finds the audio corrupt, or a sample received so far is
     *     NaN or infinite (named by its index at the source rate: the input's fault, not the model's)
     */
    public int framesReady(int wanted) {
        if (reader != null) {
            pump(wanted);
        }
        synchronized (this) {
            scanClip();
            if (badSample >= 0) {
                throw new AudioInputException(name, "input audio contains " + badValue + " at sample " + badSample
                        + " (of " + sourceRate + " Hz audio): nothing to animate");
            }
            if (complete) {
                long left = outLength(totalIn) - nextOut;
                return (int) Math.max(0, (left + samplesPerFrame - 1) / samplesPerFrame);
            }
            long ready = computable(totalIn) - nextOut;
            return (int) Math.max(0, ready / samplesPerFrame);
        }
    }

    /** @return true when the line is complete and every frame has been cut. Consumer only. */
    public synchronized boolean isExhausted() {
        return complete && nextOut >= outLength(totalIn);
    }

    /** @return the line frame the next window starts at. Consumer only. */
    public long nextFrame() {
        return nextOut / samplesPerFrame;
    }

    /**
     * Cuts the next window: {@code frames} frames of audio at the pack's rate, then zeros to the end of
     * {@code window} (and zeros past the end of the line). Consumer only.
     *
     * @param window receives the window (not null, a multiple of samplesPerFrame long, modified)
     * @param frames frames to take (in [1, framesReady], at most window.length / samplesPerFrame)
     * @return the samples of real audio in the window (&le; frames * samplesPerFrame)
     */
    public int read(float[] window, int frames) {
        Validate.nonNull(window, "window");
        int samples = frames * samplesPerFrame;
        if (frames < 1 || samples > window.length) {
            throw new IllegalArgumentException("frames must be in [1, " + window.length / samplesPerFrame + "] but is "
                    + frames);
        }
        int valid = copyOut(nextOut, window, samples, true);
        Arrays.fill(window, valid, window.length, 0f);
        synchronized (this) {
            nextOut += samples;
            if (adopted && isExhausted()) {
                buf = new float[0]; // let the clip go
                bufLen = 0;
            }
        }
        return valid;
    }

    /**
     * Target-rate samples that can be read now: those whose every input has arrived, or the whole line once it
     * is complete (pulling from the reader if there is one). Consumer only.
     *
     * @param wanted pull until this many samples are ready (or the audio ends)
     * @return samples from the line's start (not from the last release)
     * @throws AudioInputException as {@link #framesReady}
     */
    public long samplesReady(long wanted) {
        long frames = Math.max(0, (wanted - nextOut + samplesPerFrame - 1) / samplesPerFrame);
        framesReady((int) Math.min(Integer.MAX_VALUE, frames));
        synchronized (this) {
            return complete ? outLength(totalIn) : computable(totalIn);
        }
    }

    /**
     * Reads target-rate samples {@code [from, from + samples)} without consuming them (zeros past what has
     * arrived and past the end of the line): overlapping windows with context (the stream model). Consumer only.
     *
     * @param from the first sample (&ge; the last {@link #release} point)
     * @param window receives the samples from index 0 (not null, at least {@code samples} long, modified)
     * @param samples samples to read (&ge;0)
     * @return the samples of real audio read (&le; samples)
     */
    public int readAt(long from, float[] window, int samples) {
        Validate.nonNull(window, "window");
        if (samples < 0 || samples > window.length) {
            throw new IllegalArgumentException("samples must be in [0, " + window.length + "] but is " + samples);
        }
        synchronized (this) {
            if (from < nextOut) {
                throw new IllegalArgumentException("'" + name + "': sample " + from + " was released (audio is kept "
                        + "from " + nextOut + ")");
            }
        }
        int valid = copyOut(from, window, samples, false);
        Arrays.fill(window, valid, samples, 0f);
        return valid;
    }

    /**
     * Lets go of the audio before a sample: {@link #readAt} will not ask for it again. Consumer only.
     *
     * @param before target-rate samples from the line's start (earlier release points are kept)
     */
    public synchronized void release(long before) {
        nextOut = Math.max(nextOut, before);
    }

    /**
     * Copies target-rate samples {@code [from, from + samples)} that have arrived into {@code window}, resampling
     * outside the lock.
     *
     * @param requireAudio true to throw if none has arrived and the line is not complete
     * @return the samples copied (the rest of {@code window} is not written)
     */
    private int copyOut(long from, float[] window, int samples, boolean requireAudio) {
        long outEnd;
        long inFrom;
        int inCount;
        float[] source;
        int sourceOffset;
        synchronized (this) {
            long available = complete ? outLength(totalIn) : computable(totalIn);
            outEnd = Math.min(from + samples, available);
            if (requireAudio && outEnd <= from && !complete) {
                throw new IllegalStateException("'" + name + "': no audio ready for a window");
            }
            if (resampler == null) {
                inFrom = from;
                inCount = (int) Math.max(0, outEnd - from);
            } else {
                inFrom = Math.max(0, resampler.firstInput(from));
                inCount =
                        (int) Math.max(0,
                        Math.min(bufStart + bufLen, resampler.endInput(Math.max(from, outEnd - 1))) - inFrom);
            }
            if (adopted) {
                source = buf; // immutable by contract: read it outside the lock
                sourceOffset = (int) inFrom;
            } else {
                if (scratch.length < inCount) {
                    scratch = new float[inCount];
                }
                System.arraycopy(buf, (int) (inFrom - bufStart), scratch, 0, inCount);
                source = scratch;
                sourceOffset = 0;
            }
        }
        int valid = (int) Math.max(0, outEnd - from);
        if (resampler == null) {
            System.arraycopy(source, sourceOffset, window, 0, valid);
        } else {
            resampler.process(source, inFrom, sourceOffset, inCount, from, window, 0, valid);
        }
        return valid;
    }

    /** Closes the reader, if any. Consumer only; idempotent. */
    public void close() {
        if (reader != null) {
            reader.close();
        }
    }

    private void pump(int wantedFrames) {
        if (pulled == null) {
            pulled = new float[PULL_CHUNK];
        }
        while (!isComplete()) {
            synchronized (this) {
                if ((computable(totalIn) - nextOut) / samplesPerFrame >= wantedFrames) {
                    return;
                }
            }
            int n = reader.read(pulled);
            synchronized (this) {
                if (n < 0) {
                    complete = true;
                } else {
                    append(pulled, 0, n);
                }
            }
        }
    }

    /** Source samples still needed: from the first input the next window reads. */
    private long keepFrom() {
        return resampler == null ? nextOut : Math.max(0, resampler.firstInput(nextOut));
    }

    private long outLength(long in) {
        return resampler == null ? in : resampler.outputLength(in);
    }

    /** Target-rate samples whose every input has arrived. */
    private long computable(long in) {
        if (resampler == null) {
            return in;
        }
        long n = resampler.outputLength(in);
        while (n > 0 && resampler.endInput(n - 1) > in) {
            n--;
        }
        return n;
    }
}
