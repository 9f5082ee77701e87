package dev.parley.app;

import dev.parley.features.LineAudio;
import dev.parley.head.MotionLayout;
import dev.parley.motion.MotionTrack;
import dev.parley.pose.LinePose;
import dev.parley.pose.PoseAdapter;
import dev.parley.service.InferenceService;
import java.util.logging.Logger;

/**
 * {@link MotionSource#withHeadPose}: another source's motion with the pose adapter's head pose. The pose is made
 * on Parley's inference worker ({@link LinePose}); on the render thread this motion only holds the base source's
 * frames until the pose is there and copies the pose into their {@code head} slice.
 */
final class HeadPoseMotion implements MotionSource.Motion {

    private static final Logger LOG = Logger.getLogger(HeadPoseMotion.class.getName());
    /** The scratch track's first allocation, in frames (it grows as needed). */
    private static final int SCRATCH_FRAMES = 64;

    /** The source: immutable, shareable by heads on the render thread. */
    record Source(MotionSource base, PoseAdapter adapter, int style) implements MotionSource {
        @Override
        public MotionSource.Motion start(LineStart start) throws Exception {
            if (start.streamed()) {
                LOG.warning(() -> "'" + start.line().name() + "' is streamed: it keeps " + base + "'s head pose");
                return base.start(start);
            }
            LinePose pose = new LinePose(adapter, style, start.line().name());
            start.requestHeadPose(pose); // the model's line carries it to the worker
            MotionSource.Motion motion = base.start(start);
            boolean carried = start.takeHeadPose() == null;
            if (motion.layout().fps() != adapter.fps()) {
                pose.cancel();
                LOG.warning(() -> "'" + start.line().name() + "': " + base + " makes " + motion.layout().fps()
                        + " frames per second, the pose adapter " + adapter.fps() + ": it keeps " + base
                        + "'s head pose");
                return motion;
            }
            if (!carried && !submitAlone(start, pose)) {
                return motion;
            }
            return new HeadPoseMotion(motion, pose, start.line().name(), base);
        }

        /** Queues the pose of a line the worker does not animate, with its own reading of the audio. */
        private boolean submitAlone(LineStart start, LinePose pose) {
            InferenceService service = start.service();
            if (service == null) {
                LOG.warning(() -> "'" + start.line().name() + "': the pose adapter runs on Parley's inference worker"
                        + " and there is none (no pack): it keeps " + base + "'s head pose");
                return false;
            }
            LineAudio own = start.audioCopy(adapter.sampleRate(), adapter.samplesPerFrame());
            service.submit(pose.withAudio(own));
            return true;
        }

        @Override
        public String toString() {
            return base + " with the pose adapter's head (style " + style + ")";
        }
    }

    private final MotionSource.Motion base;
    private final LinePose pose;
    private final String line;
    private final MotionSource baseSource;
    /** Where the base source's frames wait for the pose and lose their head (made on the first drain). */
    private MotionTrack scratch;
    /** Frames passed on so far: the line frame of the next one. */
    private int drained;
    private boolean failureLogged;

    private HeadPoseMotion(MotionSource.Motion base, LinePose pose, String line, MotionSource baseSource) {
        this.base = base;
        this.pose = pose;
        this.line = line;
        this.baseSource = baseSource;
    }

    @Override
    public MotionLayout layout() {
        return base.layout();
    }

    /** Passes the base's frames on once the worker has made the pose (or failed: then with the base's head). */
    @Override
    public boolean drainInto(MotionTrack track) {
        if (scratch == null) {
            scratch = new MotionTrack(base.layout(), SCRATCH_FRAMES);
        }
        boolean done = base.drainInto(scratch);
        float[] p = pose.pose();
        if (p == null && pose.failure() == null) {
            return false; // the worker is making it: hold the frames (the line's audio waits for its first frames)
        }
        if (p == null && !failureLogged) {
            failureLogged = true;
            LOG.warning("'" + line + "': the pose adapter failed, the line keeps " + baseSource + "'s head pose: "
                    + pose.failure().getMessage());
        }
        int n = scratch.frameCount();
        if (n > 0) {
            float[] frames = new float[n * base.layout().dim()];
            scratch.copyFrames(0, n, frames, 0);
            scratch.clear();
            if (p != null) {
                PoseAdapter.replaceHead(frames, drained, base.layout(), p);
            }
            track.append(frames, 0, n);
            drained += n;
        }
        return done;
    }

    @Override
    public float streamDelay() {
        return base.streamDelay();
    }

    @Override
    public void setPlayhead(float seconds) {
        base.setPlayhead(seconds);
    }

    @Override
    public Exception failure() {
        return base.failure();
    }

    @Override
    public void cancel() {
        pose.cancel();
        base.cancel();
    }
}
