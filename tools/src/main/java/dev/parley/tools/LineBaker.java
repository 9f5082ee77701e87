package dev.parley.tools;

import dev.parley.app.LineOptions;
import dev.parley.audio.PcmClip;
import dev.parley.features.LineAudio;
import dev.parley.generation.MotionWindow;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.sampler.Guidance;
import dev.parley.service.InferenceService;
import dev.parley.service.LineJob;
import dev.parley.service.Networks;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Style;
import dev.parley.util.Validate;
import java.util.Arrays;

/**
 * Generates a whole line's motion offline with the runtime's own {@link InferenceService}: the same
 * windowing, seeded noise, DDIM steps and guidance a {@link dev.parley.app.TalkingHead} gets for
 * {@code say(pcm, rate, options)} with a seed and {@code adaptive = false}, so a baked line moves
 * exactly as it would live. Owns its service; close it when done.
 */
public final class LineBaker implements AutoCloseable {

    private final PackManifest manifest;
    private final InferenceService service;

    /**
     * @param pack an open pack (not null; the caller closes it after this baker)
     */
    public LineBaker(ParleyPack pack) {
        Validate.nonNull(pack, "pack");
        manifest = pack.manifest();
        service = new InferenceService(manifest, () -> Networks.of(pack),
                ServiceSettings.defaults().withPreferCuda(false).withIntraOpThreads(1).withMaxLead(1e6f),
                "Parley bake");
        service.start();
    }

    /** Motion for a line. @see #generate */
    public record Result(float[] motion, int frames) {
    }

    /**
     * @param clip the line's audio (not null, unaffected)
     * @param style the style (null = no style condition, as {@code TalkingHead.setStyle(null)})
     * @param options steps and guidance (unset: the pack's) and the seed (unseeded: 0); never adaptive
     *     (not null)
     * @return the de-normalised motion, frame-major [frames * motion.dim] (not null)
     * @throws RuntimeException with the runtime's reason if the line cannot be animated (silent, corrupt, NaN)
     */
    public Result generate(PcmClip clip, Style style, LineOptions options) {
        Validate.nonNull(clip, "clip");
        Validate.nonNull(options, "options");
        float[] embedding = new float[manifest.styleDim()];
        if (style != null) {
            style.checkCompatible(manifest.id(), manifest.styleDim());
            style.copyEmbedding(embedding, 0);
        }
        LineAudio audio = LineAudio.clip(clip.name(), clip.samples().clone(), clip.sampleRate(), manifest.sampleRate(),
                manifest.samplesPerFrame());
        Guidance guidance = options.resolvedGuidance(manifest, style != null);
        LineJob job = new LineJob(audio, embedding, options.resolvedSteps(manifest, guidance), guidance, options.seed(),
                false);
        job.setPlayhead(0f, false);
        service.submit(job);
        int dim = manifest.motion().dim();
        float[] motion = new float[manifest.dims().windowSize()];
        int frames = 0;
        while (true) {
            boolean done = job.isGenerationDone();
            for (MotionWindow w; (w = job.pollWindow()) != null;) {
                if (motion.length < (frames + w.frames()) * dim) {
                    motion = Arrays.copyOf(motion, Math.max(2 * motion.length, (frames + w.frames()) * dim));
                }
                System.arraycopy(w.motion(), 0, motion, frames * dim, w.frames() * dim);
                frames += w.frames();
            }
            if (job.failure() != null) {
                Exception e = job.failure();
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
            }
            if (done) {
                break;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                job.cancel();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while baking '" + clip.name() + "'");
            }
        }
        if (frames == 0) {
            throw new IllegalStateException("'" + clip.name() + "': no motion was generated");
        }
        return new Result(Arrays.copyOf(motion, frames * dim), frames);
    }

    /** @return the pack's manifest (not null) */
    public PackManifest manifest() {
        return manifest;
    }

    @Override
    public void close() {
        service.close();
    }
}
