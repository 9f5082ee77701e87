package dev.parley.demo;

import dev.parley.app.Line;
import dev.parley.app.LineOptions;
import dev.parley.app.ParleyAppState;
import dev.parley.app.SpeechStream;
import dev.parley.app.TalkingHead;
import dev.parley.motion.MotionTrack;
import dev.parley.pack.InferenceRuntime;
import dev.parley.service.InferenceService;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Style;
import dev.parley.util.Validate;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Parley's audio-driven model as a demo driver: each line goes to the speaker's {@link TalkingHead}
 * ({@code say(pcm, 16000, options)}, or {@code sayStream(16000)} for the microphone) with the panel's
 * steps and guidance and the preset's style; the head poses the face itself, on the render thread,
 * from windows the inference worker hands over. The overlay's figures come from the
 * {@link InferenceService}.
 */
public final class ModelSpeechDriver implements SpeechDriver {

    private final ParleyAppState parley;
    private final ServiceSettings settings;
    private String device;
    private final Function<StylePreset, Style> styles;
    private int lastSteps;

    /**
     * @param parley the runtime (not null; attached to the application)
     * @param settings the settings {@code parley} was made with, to name its device (not null)
     * @param styles finds a preset's style, or returns null for none (not null)
     */
    public ModelSpeechDriver(ParleyAppState parley, ServiceSettings settings, Function<StylePreset, Style> styles) {
        this.parley = Validate.nonNull(parley, "parley");
        this.settings = Validate.nonNull(settings, "settings");
        this.styles = Validate.nonNull(styles, "styles");
    }

    @Override
    public String label() {
        String pack = parley.manifest() == null ? "no pack" : parley.manifest().id() + " " + parley.manifest().packVersion();
        return "audio-driven model (" + pack + ")";
    }

    @Override
    public Job start(Speaker speaker, int sampleRate, SpeechSettings settings, boolean live) {
        Validate.nonNull(speaker, "speaker");
        Validate.nonNull(settings, "settings");
        TalkingHead head = speaker.talker();
        if (head == null) {
            throw new IllegalStateException(speaker + " has no talking head: the model pack could not be used");
        }
        head.setStyle(styles.apply(settings.style()));
        LineOptions options = LineOptions.DEFAULTS.withSteps(settings.steps())
                .withGuidance(settings.audioGuidance(), settings.styleGuidance())
                .withGuidanceRescale(settings.guidanceRescale());
        lastSteps = settings.steps();
        return new ModelJob(head, sampleRate, options, live);
    }

    /** The device the worker chose: the same probe, made once the worker has loaded ONNX Runtime. */
    private String device() {
        InferenceService service = parley.service();
        if (device == null && service != null && service.isReady()) {
            device = InferenceRuntime.create(settings.intraOpThreads(), settings.preferCuda()).device().toString();
        }
        return device != null ? device : "model";
    }

    @Override
    public DriverStats stats() {
        String device = device();
        InferenceService service = parley.service();
        if (service == null || parley.setupError() != null) {
            Exception e = parley.setupError();
            return new DriverStats(device + " (model unavailable: " + (e == null ? "no pack" : e.getMessage()) + ")", Float.NaN, Float.NaN);
        }
        if (!service.isReady() || service.runs() == 0) {
            return new DriverStats(device + (service.isReady() ? "" : " (loading)"), Float.NaN, Float.NaN);
        }
        // One window: `steps` denoiser passes over 3 guidance rows; it covers window.current frames of audio.
        int steps = lastSteps > 0 ? lastSteps : parley.manifest().defaultSteps();
        float ms = (float) (service.secondsPerRow() * 3 * steps * 1000.0);
        float windowMs = 1000f * parley.manifest().windowFrames() / parley.manifest().motion().fps();
        return new DriverStats(device, ms, windowMs / ms);
    }

    /** One utterance on a talking head. Render thread only. */
    private static final class ModelJob implements Job {

        private final TalkingHead head;
        private final int sampleRate;
        private final LineOptions options;
        private final SpeechStream stream;
        private float[] pcm = new float[16000 * 4];
        private int samples;
        private Line line;

        ModelJob(TalkingHead head, int sampleRate, LineOptions options, boolean live) {
            this.head = head;
            this.sampleRate = sampleRate;
            this.options = options;
            this.stream = live ? head.sayStream(sampleRate, options) : null;
            this.line = stream != null ? stream.line() : null;
        }

        @Override
        public void feed(float[] chunk, int offset, int length) {
            if (stream != null) {
                stream.write(chunk, offset, length);
                return;
            }
            if (samples + length > pcm.length) {
                pcm = Arrays.copyOf(pcm, Math.max(samples + length, 2 * pcm.length));
            }
            System.arraycopy(chunk, offset, pcm, samples, length);
            samples += length;
        }

        @Override
        public void finish() {
            if (stream != null) {
                stream.finish();
            } else if (line == null) {
                line = head.say(Arrays.copyOf(pcm, samples), sampleRate, options);
            }
        }

        @Override
        public boolean drainInto(MotionTrack track) {
            return line != null && !line.isActive();
        }

        @Override
        public void cancel() {
            if (line != null && line.isActive() && head.getLine() == line) {
                head.stop();
            }
        }

        @Override
        public boolean writesFace() {
            return true;
        }

        @Override
        public boolean started() {
            return line != null && line.state() != Line.State.WAITING;
        }
    }
}
