package dev.parley.demo;

import dev.parley.head.HeadSpec;
import dev.parley.head.MotionLayout;
import dev.parley.motion.MotionTrack;
import dev.parley.util.Validate;
import java.util.Arrays;
import java.util.Map;

/**
 * The plain baseline: the jaw follows loudness. Per motion frame (40 ms at 25 fps) the RMS level in
 * dB is measured against a running peak (so it adapts to quiet microphones), smoothed with a fast
 * attack and slower release, and opens the jaw and parts the lips; the style preset scales the jaw
 * and adds its held and loudness-linked expressions. No model, no lookahead, nothing to wait for:
 * every frame is ready as soon as its audio is fed.
 */
public final class EnergyJawDriver implements SpeechDriver {

    private static final float MAX_JAW = 0.26f;      // rad, wide open for a loud vowel
    private static final float RANGE_DB = 30f;       // loudness range mapped to 0..1 below the running peak
    private static final float GATE_DB = -55f;       // below this it is silence
    private static final float PEAK_DECAY_DB = 0.12f; // per frame: 3 dB/s at 25 fps
    private static final float ATTACK = 0.65f;
    private static final float RELEASE = 0.35f;

    private final HeadSpec spec;
    private final MotionLayout layout;
    private final int lipClose;
    private final int jawOffset;
    private final int headOffset;
    private final int expressionOffset;

    /**
     * @param spec the head's spec: expression names and the motion layout (not null)
     */
    public EnergyJawDriver(HeadSpec spec) {
        this.spec = Validate.nonNull(spec, "spec");
        this.layout = spec.motionLayout();
        lipClose = expression("lip_close");
        jawOffset = layout.slice("jaw").offset();
        headOffset = layout.slice("head").offset();
        expressionOffset = layout.slice("expression").offset();
    }

    @Override
    public String label() {
        return "energy jaw";
    }

    @Override
    public Job start(Speaker speaker, int sampleRate, SpeechSettings settings, boolean live) {
        Validate.inRange(sampleRate, 1000, 384_000, "sampleRate");
        Validate.nonNull(settings, "settings");
        return new EnergyJob(sampleRate, settings.style());
    }

    @Override
    public DriverStats stats() {
        return new DriverStats("energy jaw (no model)", Float.NaN, Float.NaN);
    }

    private int expression(String name) {
        int i = spec.expressionNames().indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("head '" + spec.name() + "' has no expression '" + name + "'");
        }
        return i;
    }

    private int[] indices(Map<String, Float> weights, float[] values) {
        int[] out = new int[weights.size()];
        int k = 0;
        for (Map.Entry<String, Float> e : weights.entrySet()) {
            out[k] = expression(e.getKey());
            values[k++] = e.getValue();
        }
        return out;
    }

    private final class EnergyJob implements Job {
        private final int hop;
        private final float jawGain;
        private final float[] heldWeights;
        private final int[] held;
        private final float[] loudWeights;
        private final int[] loud;
        private final float[] hopBuffer;
        private int filled;
        private float previousSquares;
        private float peakDb = -20f;
        private float smoothed;
        private float[] pending = new float[0];
        private int pendingFrames;
        private boolean finished;
        private boolean cancelled;

        EnergyJob(int sampleRate, StylePreset style) {
            hop = Math.max(1, Math.round(sampleRate / (float) layout.fps()));
            hopBuffer = new float[hop];
            jawGain = style.jawGain();
            heldWeights = new float[style.held().size()];
            held = indices(style.held(), heldWeights);
            loudWeights = new float[style.withLoudness().size()];
            loud = indices(style.withLoudness(), loudWeights);
        }

        @Override
        public void feed(float[] pcm, int offset, int length) {
            Validate.nonNull(pcm, "pcm");
            if (offset < 0 || length < 0 || offset + length > pcm.length) {
                throw new IllegalArgumentException("cannot read " + length + " samples at " + offset + " of " + pcm.length);
            }
            if (finished || cancelled) {
                return;
            }
            for (int i = offset; i < offset + length; i++) {
                hopBuffer[filled++] = pcm[i];
                if (filled == hop) {
                    frame(hop);
                    filled = 0;
                }
            }
        }

        @Override
        public void finish() {
            if (filled > 0 && !cancelled) {
                Arrays.fill(hopBuffer, filled, hop, 0f);
                frame(hop);
                filled = 0;
            }
            finished = true;
        }

        @Override
        public boolean drainInto(MotionTrack track) {
            Validate.nonNull(track, "track");
            if (!cancelled && pendingFrames > 0) {
                track.append(pending, 0, pendingFrames);
                pendingFrames = 0;
            }
            return finished || cancelled;
        }

        @Override
        public void cancel() {
            cancelled = true;
            pendingFrames = 0;
        }

        /** One motion frame from one hop of audio (RMS over this hop and the previous one). */
        private void frame(int n) {
            float squares = 0f;
            for (int i = 0; i < n; i++) {
                squares += hopBuffer[i] * hopBuffer[i];
            }
            float rms = (float) Math.sqrt((squares + previousSquares) / (2f * n));
            previousSquares = squares;
            float db = 20f * (float) Math.log10(rms + 1e-7f);
            peakDb = Math.max(db, peakDb - PEAK_DECAY_DB);
            float level = db < GATE_DB ? 0f : clamp((db - (peakDb - RANGE_DB)) / RANGE_DB);
            smoothed += (level > smoothed ? ATTACK : RELEASE) * (level - smoothed);

            int dim = layout.dim();
            if ((pendingFrames + 1) * dim > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(dim, 2 * pending.length + dim));
            }
            int o = pendingFrames * dim;
            Arrays.fill(pending, o, o + dim, 0f);
            float s = smoothed;
            pending[o + expressionOffset + lipClose] = -0.35f * s;
            for (int k = 0; k < held.length; k++) {
                pending[o + expressionOffset + held[k]] += heldWeights[k];
            }
            for (int k = 0; k < loud.length; k++) {
                pending[o + expressionOffset + loud[k]] += loudWeights[k] * s;
            }
            pending[o + jawOffset] = MAX_JAW * jawGain * s * s * (3f - 2f * s); // smoothstep: rests closed, opens on vowels
            pending[o + headOffset] = -0.035f * jawGain * s;                      // lifts the chin a little on stress
            pendingFrames++;
        }
    }

    private static float clamp(float x) {
        return x < 0f ? 0f : Math.min(1f, x);
    }
}
