package dev.parley.audio;

import dev.parley.util.Validate;

/**
 * Mono PCM in [-1, 1] at a known sample rate. Immutable by contract: the clip owns its sample array
 * and callers must not modify the array returned by {@link #samples()}.
 */
public final class PcmClip {

    private final String name;
    private final float[] samples;
    private final int sampleRate;

    /**
     * @param name the line's name for messages (not null)
     * @param samples mono samples (not null; ownership passes to the clip, do not modify afterwards)
     * @param sampleRate samples per second (&gt;0)
     */
    public PcmClip(String name, float[] samples, int sampleRate) {
        this.name = Validate.nonNull(name, "name");
        this.samples = Validate.nonNull(samples, "samples");
        this.sampleRate = Validate.inRange(sampleRate, 1, 1_000_000, "sampleRate");
    }

    /** @return the line's name (not null) */
    public String name() {
        return name;
    }

    /** @return the samples (the clip's own array: do not modify) */
    public float[] samples() {
        return samples;
    }

    /** @return samples per second */
    public int sampleRate() {
        return sampleRate;
    }

    /** @return the duration in seconds */
    public float duration() {
        return samples.length / (float) sampleRate;
    }

    /** @return the peak absolute sample value */
    public float peak() {
        float p = 0f;
        for (float s : samples) {
            p = Math.max(p, Math.abs(s));
        }
        return p;
    }

    /**
     * Resamples to another rate (or returns this clip if the rate already matches).
     *
     * @param rate the target rate (&gt;0)
     * @return a clip at {@code rate} (not null)
     */
    public PcmClip resampledTo(int rate) {
        if (rate == sampleRate) {
            return this;
        }
        return new PcmClip(name, new Resampler(sampleRate, rate).process(samples), rate);
    }
}
