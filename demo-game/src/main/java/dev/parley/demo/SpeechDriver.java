package dev.parley.demo;

import dev.parley.motion.MotionTrack;

/**
 * Turns speech audio into motion for one character: the demo's seam between the panel and whatever
 * animates faces. Two implementations: {@link EnergyJawDriver} (the plain baseline, frames into the
 * character's track) and {@link ModelSpeechDriver} (Parley's runtime: the character's
 * {@link dev.parley.app.TalkingHead} writes the face itself, see {@link Job#writesFace()}).
 *
 * <p>Threads: {@link #start} and every {@link Job} method are called on the render thread. A job
 * may compute on its own workers, but hands frames over only in {@link Job#drainInto}.
 */
public interface SpeechDriver {

    /** @return a short name for the panel, e.g. {@code energy jaw} (not null) */
    String label();

    /**
     * Starts animating one utterance. Audio arrives through {@link Job#feed} (all at once for a
     * dialogue line, in chunks for a microphone).
     *
     * @param speaker the character who talks (not null)
     * @param sampleRate the rate of the PCM that will be fed (&gt;0)
     * @param settings style and sampling settings (not null)
     * @param live true for live audio (a microphone: fed in chunks, open-ended), false for a whole line
     * @return a new job (not null)
     */
    Job start(Speaker speaker, int sampleRate, SpeechSettings settings, boolean live);

    /** @return the latest inference figures for the overlay (not null) */
    DriverStats stats();

    /** One utterance being animated. */
    interface Job {

        /**
         * Adds audio.
         *
         * @param pcm mono samples in [-1, 1] (not null, unaffected)
         * @param offset the first sample to read
         * @param length how many samples to read
         */
        void feed(float[] pcm, int offset, int length);

        /** Marks the end of the audio: the remaining frames follow. */
        void finish();

        /**
         * Moves finished motion frames (at the track's frame rate, from the start of the audio) into a track.
         *
         * @param track the character's track (not null, appended to)
         * @return true once every frame of a finished utterance has been handed over
         */
        boolean drainInto(MotionTrack track);

        /** Stops work early; no more frames are handed over. */
        void cancel();

        /**
         * @return true if the job poses the face itself (the speaker then leaves the face's frame
         *     alone and only waits for {@link #drainInto} to report the end)
         */
        default boolean writesFace() {
            return false;
        }

        /** @return true once the face starts moving with the audio: the speaker starts the line's sound then */
        default boolean started() {
            return true;
        }
    }
}
