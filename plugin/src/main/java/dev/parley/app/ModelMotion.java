package dev.parley.app;

import dev.parley.generation.MotionWindow;
import dev.parley.head.MotionLayout;
import dev.parley.motion.MotionTrack;
import dev.parley.pack.PackManifest;
import dev.parley.pose.LinePose;
import dev.parley.sampler.Guidance;
import dev.parley.service.LineJob;
import dev.parley.style.Adapter;
import dev.parley.style.Style;

/** {@link MotionSource#model()}: a line's windows come from the pack's networks on Parley's worker. */
final class ModelMotion implements MotionSource.Motion {

    /** The one model source: it holds nothing of its own. */
    static final MotionSource SOURCE = new MotionSource() {
        @Override
        public MotionSource.Motion start(LineStart start) throws Exception {
            return ModelMotion.start(start);
        }

        @Override
        public String toString() {
            return "model";
        }
    };

    private final Line line;
    private final LineJob job;
    private final MotionLayout layout;

    private ModelMotion(Line line, LineJob job, MotionLayout layout) {
        this.line = line;
        this.job = job;
        this.layout = layout;
    }

    private static ModelMotion start(LineStart start) throws Exception {
        ParleyAppState parley = start.head().parley();
        Exception setupError = parley.setupError();
        if (setupError != null) {
            throw setupError;
        }
        PackManifest m = parley.manifest();
        Style style = start.style();
        float[] embedding = new float[m.styleDim()];
        if (style != null) {
            parley.checkStyle(style);
            style.copyEmbedding(embedding, 0);
        }
        LineOptions options = start.line().options();
        Adapter adapter = start.head().getAdapter();
        Guidance guidance = options.resolvedGuidance(m, style != null, adapter != null);
        int steps = options.resolvedSteps(m, guidance, start.streamed());
        LineJob job = new LineJob(start.head().getName(), start.audio(m.sampleRate(), m.samplesPerFrame()), embedding,
                start.head().getShape(), steps, guidance, options.seed(), options.resolvedAdaptive(), adapter);
        LinePose pose = start.takeHeadPose();
        if (pose != null) {
            job.withHeadPose(pose); // made on the worker from the line's own windows' features
        }
        start.line().job = job;
        parley.service().submit(job);
        return new ModelMotion(start.line(), job, m.motion());
    }

    @Override
    public MotionLayout layout() {
        return layout;
    }

    @Override
    public boolean drainInto(MotionTrack track) {
        boolean done = job.isGenerationDone(); // before polling: once done, every window is in the queue
        for (MotionWindow w; (w = job.pollWindow()) != null;) {
            if (w.startFrame() == 0) {
                line.firstWindowSteps = w.steps();
            }
            track.append(w.motion(), 0, w.frames());
        }
        return done;
    }

    @Override
    public float streamDelay() {
        return job.onStreamModel() ? TalkingHead.STREAM_MODEL_DELAY : TalkingHead.STREAM_DELAY;
    }

    @Override
    public void setPlayhead(float seconds) {
        job.setPlayhead(seconds, true);
    }

    @Override
    public Exception failure() {
        return job.failure();
    }

    @Override
    public void cancel() {
        job.cancel();
    }
}
