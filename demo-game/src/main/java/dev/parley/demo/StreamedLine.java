package dev.parley.demo;

import dev.parley.app.SpeechStream;
import dev.parley.audio.PcmClip;
import dev.parley.util.Validate;

/**
 * Feeds a recorded line to a {@link SpeechStream} as a text-to-speech engine would: 20 ms chunks, each
 * written when its time has come, then {@code finish()}. The panel's "Stream the line" uses it, so the
 * stream path's lag behind the voice can be seen and heard beside the pre-recorded path.
 */
final class StreamedLine {

    /** The chunk a producer writes (seconds): the benchmark's real-time producer writes the same. */
    static final float CHUNK_SECONDS = 0.02f;

    private final float[] pcm;
    private final int chunk;
    private final int rate;
    private final SpeechStream stream;
    private int written;
    private double clock;

    /**
     * @param clip the line's audio (not null, unaffected)
     * @param stream the stream to write into (not null)
     */
    StreamedLine(PcmClip clip, SpeechStream stream) {
        Validate.nonNull(clip, "clip");
        this.stream = Validate.nonNull(stream, "stream");
        pcm = clip.samples();
        rate = clip.sampleRate();
        chunk = Math.max(1, Math.round(rate * CHUNK_SECONDS));
    }

    /**
     * Writes every chunk whose time has come, and finishes the stream after the last.
     *
     * @param tpf seconds since the last call (&ge;0)
     * @return true while the line has samples left to write
     */
    boolean feed(float tpf) {
        if (stream.isFinished()) {
            return false;
        }
        clock += Math.max(0f, tpf);
        long due = Math.min(pcm.length, (long) (clock * rate / chunk) * chunk + chunk);
        while (written < due) {
            int n = (int) Math.min(chunk, due - written);
            stream.write(pcm, written, n);
            written += n;
        }
        if (written >= pcm.length) {
            stream.finish();
            return false;
        }
        return true;
    }

    /** @return the stream being fed (not null) */
    SpeechStream stream() {
        return stream;
    }
}
