package dev.parley.app;

import com.jme3.anim.AnimClip;
import dev.parley.head.MotionLayout;
import dev.parley.motion.EnergyJaw;
import dev.parley.motion.MotionTrack;
import dev.parley.util.Validate;

/**
 * Where a {@link TalkingHead}'s speech motion comes from. Whatever the source, the head plays the
 * line's audio, keeps one clock (the audio's), blends speech with idle motion through one mixer and
 * tells the listeners; the source only supplies motion frames from the line's start. Three sources:
 * <ul>
 * <li>{@link #model()}: Parley's audio-driven model on the inference worker (the default);</li>
 * <li>{@link #energyJaw(EnergyJaw.Tuning)}: the jaw follows loudness, computed on the render thread,
 * no pack needed (a baseline to compare the model with, or a fallback);</li>
 * <li>{@link #baked(AnimClip)}: a clip baked ahead of time ({@link dev.parley.anim.FaceClips}), played
 * with the line's audio, no pack needed.</li>
 * </ul>
 * A game may implement its own. Sources are immutable and may be shared by many heads.
 *
 * <pre>
 * head.setMotionSource(MotionSource.energyJaw(EnergyJaw.Tuning.NEUTRAL));
 * head.say(audioNode);   // the jaw follows this line's loudness, in sync with its audio
 * </pre>
 */
public interface MotionSource {

    /** @return the audio-driven model: the pack's networks animate each line on Parley's worker (not null) */
    static MotionSource model() {
        return ModelMotion.SOURCE;
    }

    /**
     * @param tuning how the jaw looks (not null)
     * @return a source whose jaw follows each line's loudness (not null)
     */
    static MotionSource energyJaw(EnergyJaw.Tuning tuning) {
        return new EnergyJawMotion.Source(Validate.nonNull(tuning, "tuning"));
    }

    /**
     * A baked clip: {@link dev.parley.anim.FaceClips#build} output, or a loaded one after
     * {@link dev.parley.anim.FaceClips#retarget}, targeting the head's own model. Its morph weights and
     * jaw and neck rotations are read back into motion frames when a line starts.
     *
     * @param clip the clip (not null; keyframes at a fixed rate, every track with the same times)
     * @return a source that plays the clip with each line (not null)
     */
    static MotionSource baked(AnimClip clip) {
        return new BakedMotion.Source(Validate.nonNull(clip, "clip"));
    }

    /**
     * The pose adapter as a character's head-pose source: each line's motion comes from {@code base}, and
     * its {@code head} slice (the neck's rotation) is replaced by the adapter's pose for the line's speech in a
     * training style (docs/adapters.md, "Pose adapter"). The pose is made on Parley's inference worker, never
     * on the render thread: with {@link #model()} as the base, when the worker admits the line, from the audio
     * features it encodes once for the line's windows; with another base, queued on the worker with its own
     * reading of the line's audio. The line's frames wait for the pose (so does its audio, which starts with its
     * first frames). A streamed line, a line whose pose fails, or a head whose Parley has no inference service
     * keeps {@code base}'s head pose (a warning is logged).
     *
     * @param base where the rest of the motion comes from, e.g. {@link #model()} (not null)
     * @param adapter the loaded adapter (not null; run on the inference worker, closed by the caller after the
     *     service)
     * @param style the training style's index ({@link dev.parley.pose.PoseAdapter#styleIndex},
     *     {@link dev.parley.pose.PoseAdapter#retrieve})
     * @return the source (not null)
     */
    static MotionSource withHeadPose(MotionSource base, dev.parley.pose.PoseAdapter adapter, int style) {
        Validate.nonNull(base, "base");
        Validate.nonNull(adapter, "adapter");
        Validate.inRange(style, 0, adapter.styleCount() - 1, "style");
        return new HeadPoseMotion.Source(base, adapter, style);
    }

    /**
     * Starts one line's motion. Called by the head on the render thread when the line begins.
     *
     * @param start the line and what the head knows (not null)
     * @return the line's motion (not null)
     * @throws Exception why the line cannot be animated: the line then fails with it, through the
     *     listeners and the log, and the face stays idle
     */
    Motion start(LineStart start) throws Exception;

    /** One line's motion, polled by its head once per frame on the render thread. */
    interface Motion {

        /** @return the layout of the frames {@link #drainInto} appends (not null, fixed for the line) */
        MotionLayout layout();

        /**
         * Moves the frames made since the last call into the line's track.
         *
         * @param track the line's track: frames from the line's start at {@link #layout()}'s rate (not null,
         *     appended to)
         * @return true once every frame of the line has been handed over
         */
        boolean drainInto(MotionTrack track);

        /**
         * @return seconds a streamed line's face runs behind its first frames' arrival, absorbing the producer's
         *     jitter and the later frames' compute ({@link TalkingHead#STREAM_DELAY} unless the source knows
         *     better: the model's stream model waits {@link TalkingHead#STREAM_MODEL_DELAY})
         */
        default float streamDelay() {
            return TalkingHead.STREAM_DELAY;
        }

        /**
         * Where playback is, so that work can be paced or scheduled.
         *
         * @param seconds the line's playback time (&ge;0)
         */
        default void setPlayhead(float seconds) {
        }

        /** @return why the motion cannot go on (the line then fails with it), or null */
        default Exception failure() {
            return null;
        }

        /** Stops any work; no more frames are needed. Idempotent. */
        void cancel();
    }
}
