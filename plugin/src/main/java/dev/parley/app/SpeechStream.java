package dev.parley.app;

import dev.parley.features.LineAudio;
import dev.parley.service.InferenceService;
import dev.parley.util.Validate;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds a line's PCM to Parley as it arrives (streamed TTS, a voice decoded on the fly). Write chunks
 * from any thread, then {@link #finish()}. Windows are generated as soon as enough audio has arrived: on
 * the pack's stream model (pack 1.6.0 on) a 4-frame window every 80 ms of audio, so the face lags a producer
 * that delivers in real time by 160 ms of audio plus one short window's compute and
 * {@link TalkingHead#STREAM_MODEL_DELAY}; on full windows a whole window, or at least
 * {@code ServiceSettings.streamChunkFrames} frames, plus one window's compute and
 * {@link TalkingHead#STREAM_DELAY}; see docs/runtime.md. Audio that arrives later than its frames are
 * needed is skipped, so the lag stays bounded. A stream that gets no audio for
 * {@code ServiceSettings.streamIdleTimeout} seconds of game time (10 by default) before {@link #finish()}
 * fails its line, with a warning naming the character.
 */
public final class SpeechStream {

    private final Line line;
    private final LineAudio audio;
    private final InferenceService service;
    private final AtomicLong written = new AtomicLong();
    private volatile boolean finished;

    SpeechStream(Line line, LineAudio audio, InferenceService service) {
        this.line = line;
        this.audio = audio;
        this.service = service;
    }

    /** @return the line this stream feeds (not null) */
    public Line line() {
        return line;
    }

    /** @return samples written so far (any thread) */
    public long samplesWritten() {
        return written.get();
    }

    /** @return true once {@link #finish()} was called (any thread) */
    public boolean isFinished() {
        return finished;
    }

    /**
     * Appends PCM. Any thread.
     *
     * @param pcm mono samples in [-1, 1] at the stream's rate (not null, unaffected: copied)
     */
    public void write(float[] pcm) {
        write(pcm, 0, Validate.nonNull(pcm, "pcm").length);
    }

    /**
     * Appends part of an array. Any thread. Ignored once the line has ended (stopped or failed).
     *
     * @param pcm mono samples in [-1, 1] (not null, unaffected: copied)
     * @param offset the first sample
     * @param length the number of samples
     */
    public void write(float[] pcm, int offset, int length) {
        if (audio == null || audio.isComplete() || !line.isActive()
                || line.job != null && (line.job.isCancelled() || line.job.failure() != null)) {
            return;
        }
        audio.write(pcm, offset, length);
        written.addAndGet(length);
        if (service != null) {
            service.wake();
        }
    }

    /** Ends the stream: the line finishes once its last audio has been animated. Any thread; idempotent. */
    public void finish() {
        finished = true;
        if (audio != null) {
            audio.finish();
            if (service != null) {
                service.wake();
            }
        }
    }
}
