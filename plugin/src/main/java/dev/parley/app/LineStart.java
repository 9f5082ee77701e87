package dev.parley.app;

import dev.parley.audio.AudioLimits;
import dev.parley.features.LineAudio;
import dev.parley.pose.LinePose;
import dev.parley.rig.RigNames;
import dev.parley.service.InferenceService;
import dev.parley.style.Style;
import dev.parley.util.Validate;
import java.util.List;

/**
 * What a {@link MotionSource} gets when a line starts: the line, the head's names and style, and the
 * line's audio at the rate the source asks for. Render thread only; valid during
 * {@link MotionSource#start} (the audio it opened stays the motion's).
 */
public final class LineStart {

    /** Opens a line's audio at a rate. */
    interface AudioOpener {
        LineAudio open(int sampleRate, int samplesPerFrame);
    }

    private final TalkingHead head;
    private final Line line;
    private final RigNames names;
    private final AudioOpener opener;
    private final boolean streamed;
    private final InferenceService service;
    private LineAudio audio;
    private LinePose headPose;

    LineStart(TalkingHead head, Line line, RigNames names, AudioOpener opener, boolean streamed) {
        this(head, line, names, opener, streamed, null);
    }

    /**
     * @param service the inference service the line's worker work goes to, or null for the head's Parley's
     */
    LineStart(TalkingHead head, Line line, RigNames names, AudioOpener opener, boolean streamed,
            InferenceService service) {
        this.head = head;
        this.line = line;
        this.names = names;
        this.opener = opener;
        this.streamed = streamed;
        this.service = service;
    }

    /** @return the head saying the line (not null) */
    public TalkingHead head() {
        return head;
    }

    /** @return the line (not null; its options have the head's defaults and a seed applied) */
    public Line line() {
        return line;
    }

    /** @return the head's speaking style, or null for none */
    public Style style() {
        return head.getStyle();
    }

    /** @return the name of each expression weight of the head's rig, in order (not null, unmodifiable) */
    public List<String> expressionNames() {
        return names.morphTargets();
    }

    /** @return the head's control names: expression targets and face joints (not null) */
    public RigNames names() {
        return names;
    }

    /** @return true for a streamed line ({@link TalkingHead#sayStream}): audio arrives while it plays */
    public boolean streamed() {
        return streamed;
    }

    /**
     * Opens the line's audio, resampled to a rate and cut into motion frames; call it at most once. A
     * source that needs no audio (a baked clip) does not call it. The audio is the motion's to read
     * (on the render thread or a worker) and to close.
     *
     * @param sampleRate the rate the source reads (&gt;0)
     * @param samplesPerFrame samples at that rate per motion frame (&gt;0)
     * @return the line's audio (not null)
     * @throws dev.parley.audio.AudioInputException if the line's audio cannot be read (the line fails with it)
     */
    public LineAudio audio(int sampleRate, int samplesPerFrame) {
        Validate.inRange(sampleRate, AudioLimits.MIN_RATE, AudioLimits.MAX_RATE, "sampleRate");
        Validate.inRange(samplesPerFrame, 1, 1 << 20, "samplesPerFrame");
        if (audio != null) {
            throw new IllegalStateException("the audio of '" + line.name() + "' is already open");
        }
        audio = opener.open(sampleRate, samplesPerFrame);
        return audio;
    }

    /**
     * A second, independent reading of a whole (not streamed) line's audio, for a source that needs all of it
     * up front next to the one {@link #audio} feeds (the pose adapter, {@link MotionSource#withHeadPose}).
     *
     * @param sampleRate the rate to read (&gt;0)
     * @param samplesPerFrame samples per motion frame at that rate (&gt;0)
     * @return the line's audio (not null; the caller reads and closes it)
     */
    LineAudio audioCopy(int sampleRate, int samplesPerFrame) {
        if (streamed) {
            throw new IllegalStateException("'" + line.name() + "' is streamed: its audio cannot be read twice");
        }
        return opener.open(sampleRate, samplesPerFrame);
    }

    /**
     * @return the inference service that runs the line's worker work (the head's Parley's), or null where there is
     *     none (no pack)
     */
    InferenceService service() {
        if (service != null) {
            return service;
        }
        ParleyAppState parley = head != null ? head.parley() : null;
        return parley != null ? parley.service() : null;
    }

    /**
     * Asks the source that animates the line on the worker to make its head pose there too
     * ({@link MotionSource#withHeadPose}); call before the base source starts.
     *
     * @param pose the request (not null)
     */
    void requestHeadPose(LinePose pose) {
        headPose = pose;
    }

    /**
     * Takes the head pose request, for a source whose line runs on the worker ({@link MotionSource#model()}): it
     * then carries it on its job.
     *
     * @return the request, or null if there is none or it was taken
     */
    LinePose takeHeadPose() {
        LinePose p = headPose;
        headPose = null;
        return p;
    }

    /** @return the audio {@link #audio} opened, or null */
    LineAudio openedAudio() {
        return audio;
    }
}
