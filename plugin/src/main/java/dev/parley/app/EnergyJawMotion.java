package dev.parley.app;

import dev.parley.audio.AudioInputException;
import dev.parley.features.LineAudio;
import dev.parley.head.MotionLayout;
import dev.parley.motion.EnergyJaw;
import dev.parley.motion.MotionTrack;
import dev.parley.rig.RigNames;
import dev.parley.motion.FaceJoint;

/**
 * {@link MotionSource#energyJaw}: frames from the line's loudness, made on the render thread as the
 * audio is read, at most {@link #AHEAD} seconds beyond the playhead (a long line is decoded piece by
 * piece, a stream as it arrives).
 */
final class EnergyJawMotion implements MotionSource.Motion {

    /** The rate the energy jaw reads audio at. */
    static final int SAMPLE_RATE = 16000;
    /** Motion frames per second. */
    static final int FPS = 25;
    /** Seconds of frames made ahead of the playhead. */
    static final float AHEAD = 1f;

    private static final int HOP = SAMPLE_RATE / FPS;
    private static final int CHUNK_FRAMES = 16;

    /** The source: an immutable tuning. */
    record Source(EnergyJaw.Tuning tuning) implements MotionSource {
        @Override
        public MotionSource.Motion start(LineStart start) {
            RigNames names = start.names();
            MotionLayout layout = MotionLayout.face(names.morphTargets().size(), FPS, names.joint(FaceJoint.JAW),
                    names.joint(FaceJoint.HEAD));
            EnergyJaw jaw = new EnergyJaw(layout, names.morphTargets(), tuning);
            return new EnergyJawMotion(jaw, start.audio(SAMPLE_RATE, HOP));
        }
    }

    private final EnergyJaw jaw;
    private final LineAudio audio;
    private final float[] window = new float[CHUNK_FRAMES * HOP];
    private final float[] frames;
    private long made;
    private float playhead;
    private Exception failure;
    private boolean closed;

    private EnergyJawMotion(EnergyJaw jaw, LineAudio audio) {
        this.jaw = jaw;
        this.audio = audio;
        frames = new float[CHUNK_FRAMES * jaw.layout().dim()];
    }

    @Override
    public MotionLayout layout() {
        return jaw.layout();
    }

    @Override
    public boolean drainInto(MotionTrack track) {
        if (closed) {
            return true;
        }
        try {
            long wanted = (long) Math.ceil((playhead + AHEAD) * FPS);
            int dim = jaw.layout().dim();
            while (made < wanted) {
                int n = Math.min(CHUNK_FRAMES, audio.framesReady((int) Math.min(CHUNK_FRAMES, wanted - made)));
                if (n == 0) {
                    break;
                }
                audio.read(window, n);
                for (int k = 0; k < n; k++) {
                    jaw.frame(window, k * HOP, HOP, frames, k * dim);
                }
                track.append(frames, 0, n);
                made += n;
            }
        } catch (AudioInputException e) {
            failure = e;
            return false;
        }
        if (audio.isExhausted()) {
            close();
            return true;
        }
        return false;
    }

    @Override
    public void setPlayhead(float seconds) {
        playhead = seconds;
    }

    @Override
    public Exception failure() {
        return failure;
    }

    @Override
    public void cancel() {
        close();
    }

    private void close() {
        if (!closed) {
            closed = true;
            audio.close();
        }
    }
}
