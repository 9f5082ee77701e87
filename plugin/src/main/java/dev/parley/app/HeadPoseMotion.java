package dev.parley.app;

import dev.parley.features.LineAudio;
import dev.parley.head.MotionLayout;
import dev.parley.motion.MotionTrack;
import dev.parley.pose.PoseAdapter;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link MotionSource#withHeadPose}: another source's motion with the pose adapter's head pose. */
final class HeadPoseMotion implements MotionSource.Motion {

    private static final Logger LOG = Logger.getLogger(HeadPoseMotion.class.getName());
    /** Frames read from the line's audio per call. */
    private static final int READ_FRAMES = 256;
    /** The scratch track's first allocation, in frames (it grows as needed). */
    private static final int SCRATCH_FRAMES = 64;

    /** The source: immutable, shareable by heads on the render thread. */
    record Source(MotionSource base, PoseAdapter adapter, int style) implements MotionSource {
        @Override
        public MotionSource.Motion start(LineStart start) throws Exception {
            MotionSource.Motion motion = base.start(start);
            float[] pose = null;
            if (start.streamed()) {
                LOG.warning(() -> "'" + start.line().name() + "' is streamed: it keeps " + base + "'s head pose");
            } else if (motion.layout().fps() != adapter.fps()) {
                LOG.warning(() -> "'" + start.line().name() + "': " + base + " makes " + motion.layout().fps()
                        + " frames per second, the pose adapter " + adapter.fps() + ": it keeps " + base
                        + "'s head pose");
            } else {
                LineAudio audio = null;
                try {
                    audio = start.audioCopy(adapter.sampleRate(), adapter.samplesPerFrame());
                    pose = adapter.pose(readAll(audio, adapter.samplesPerFrame()), style);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "'" + start.line().name() + "': the pose adapter failed, the line keeps "
                            + base + "'s head pose: " + e.getMessage());
                } finally {
                    if (audio != null) {
                        audio.close();
                    }
                }
            }
            return pose == null ? motion : new HeadPoseMotion(motion, pose);
        }

        @Override
        public String toString() {
            return base + " with the pose adapter's head (style " + style + ")";
        }
    }

    private final MotionSource.Motion base;
    private final float[] pose;
    /** Where the base source's frames land before their head is replaced (made on the first drain). */
    private MotionTrack scratch;
    /** Frames passed on so far: the line frame of the next one. */
    private int drained;

    private HeadPoseMotion(MotionSource.Motion base, float[] pose) {
        this.base = base;
        this.pose = pose;
    }

    /** @return the whole line's samples, whole frames (the last partial frame padded with silence) */
    static float[] readAll(LineAudio audio, int samplesPerFrame) {
        float[] window = new float[READ_FRAMES * samplesPerFrame];
        float[] out = new float[window.length];
        int n = 0;
        for (int ready; !audio.isExhausted() && (ready = audio.framesReady(READ_FRAMES)) > 0;) {
            int frames = Math.min(ready, READ_FRAMES);
            audio.read(window, frames);
            if (n + frames * samplesPerFrame > out.length) {
                out = Arrays.copyOf(out, 2 * out.length);
            }
            System.arraycopy(window, 0, out, n, frames * samplesPerFrame);
            n += frames * samplesPerFrame;
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public MotionLayout layout() {
        return base.layout();
    }

    @Override
    public boolean drainInto(MotionTrack track) {
        if (scratch == null) {
            scratch = new MotionTrack(base.layout(), SCRATCH_FRAMES);
        }
        boolean done = base.drainInto(scratch);
        int n = scratch.frameCount();
        if (n > 0) {
            float[] frames = new float[n * base.layout().dim()];
            scratch.copyFrames(0, n, frames, 0);
            scratch.clear();
            PoseAdapter.replaceHead(frames, drained, base.layout(), pose);
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
        base.cancel();
    }
}
