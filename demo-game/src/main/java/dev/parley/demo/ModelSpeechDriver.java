package dev.parley.demo;

import dev.parley.app.LineOptions;
import dev.parley.app.MotionSource;
import dev.parley.app.ParleyAppState;
import dev.parley.pack.InferenceRuntime;
import dev.parley.sampler.SamplerKind;
import dev.parley.service.InferenceService;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Style;
import dev.parley.util.Validate;
import java.util.function.Function;

/**
 * Parley's audio-driven model as a demo driver ({@link MotionSource#model()}): each line is animated
 * by the pack's networks with the panel's steps and guidance and the preset's style. The overlay's
 * figures come from the {@link InferenceService}.
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
        String pack = parley.manifest() == null ? "no pack" : parley.manifest().id() + " "
                + parley.manifest().packVersion();
        return "audio-driven model (" + pack + ")";
    }

    @Override
    public MotionSource source(CastMember member, SpeechSettings settings) {
        Validate.nonNull(member, "member");
        Validate.nonNull(settings, "settings");
        member.talker().setStyle(styles.apply(settings.style()));
        lastSteps = settings.steps();
        return MotionSource.model();
    }

    @Override
    public LineOptions options(SpeechSettings settings) {
        return LineOptions.DEFAULTS.withSteps(settings.steps())
                .withGuidance(settings.audioGuidance(), settings.styleGuidance())
                .withGuidanceRescale(settings.guidanceRescale())
                .withSampler(settings.distilled() ? null : SamplerKind.DDIM);
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
            return new DriverStats(device + " (model unavailable: " + (e == null ? "no pack" : e.getMessage()) + ")",
                    Float.NaN, Float.NaN);
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
}
