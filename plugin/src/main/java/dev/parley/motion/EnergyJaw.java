package dev.parley.motion;

import dev.parley.head.MotionLayout;
import dev.parley.util.Validate;
import java.util.List;
import java.util.Map;

/**
 * The plain baseline for speech motion: the jaw follows loudness. Per motion frame the RMS level in
 * dB (over this hop and the previous one) is measured against a running peak (so it adapts to quiet
 * voices and microphones), smoothed with a fast attack and a slower release, and opens the jaw, parts
 * the lips and lifts the chin a little; a {@link Tuning} scales the jaw and adds held and
 * loudness-linked expressions. No model and no lookahead: each frame is ready as soon as its audio is.
 * One instance follows one line; not thread-safe.
 */
public final class EnergyJaw {

    private static final float MAX_JAW = 0.26f;       // rad, wide open for a loud vowel
    private static final float RANGE_DB = 30f;        // loudness range mapped to 0..1 below the running peak
    private static final float GATE_DB = -55f;        // below this it is silence
    private static final float PEAK_DECAY_DB = 0.12f; // per frame: 3 dB/s at 25 fps
    private static final float ATTACK = 0.65f;
    private static final float RELEASE = 0.35f;
    private static final float LIP_PART = -0.35f;     // lip_close at full loudness
    private static final float CHIN_LIFT = -0.035f;   // rad of head pitch at full loudness

    /**
     * How the energy jaw looks on a character.
     *
     * @param jawGain how far the jaw opens relative to neutral (&gt;0)
     * @param held expression name to weight, held while talking (not null)
     * @param withLoudness expression name to weight at full loudness (not null)
     */
    public record Tuning(float jawGain, Map<String, Float> held, Map<String, Float> withLoudness) {

        /** A neutral jaw: gain 1, no expressions. */
        public static final Tuning NEUTRAL = new Tuning(1f, Map.of(), Map.of());

        /**
         * Validates and copies the fields.
         *
         * @param jawGain see {@link #jawGain()}
         * @param held see {@link #held()}
         * @param withLoudness see {@link #withLoudness()}
         */
        public Tuning {
            if (!(jawGain > 0f) || !Float.isFinite(jawGain)) {
                throw new IllegalArgumentException("jawGain must be finite and > 0 but is " + jawGain);
            }
            held = Map.copyOf(Validate.nonNull(held, "held"));
            withLoudness = Map.copyOf(Validate.nonNull(withLoudness, "withLoudness"));
        }
    }

    private final MotionLayout layout;
    private final float jawGain;
    private final int lipClose;
    private final int[] held;
    private final float[] heldWeights;
    private final int[] loud;
    private final float[] loudWeights;
    private final int expressionOffset;
    private final int jawOffset;
    private final int headOffset;
    private float previousSquares;
    private int previousCount;
    private float peakDb = -20f;
    private float smoothed;

    /**
     * @param layout where expressions, jaw and head sit in a frame (not null)
     * @param expressionNames the name of each expression weight, in order (not null, unaffected)
     * @param tuning the character's look (not null)
     * @throws IllegalArgumentException naming an expression the tuning uses that is not in {@code expressionNames}
     */
    public EnergyJaw(MotionLayout layout, List<String> expressionNames, Tuning tuning) {
        this.layout = Validate.nonNull(layout, "layout");
        Validate.nonNull(expressionNames, "expressionNames");
        Validate.nonNull(tuning, "tuning");
        jawGain = tuning.jawGain();
        lipClose = expressionNames.indexOf("lip_close");
        heldWeights = new float[tuning.held().size()];
        held = indices(expressionNames, tuning.held(), heldWeights);
        loudWeights = new float[tuning.withLoudness().size()];
        loud = indices(expressionNames, tuning.withLoudness(), loudWeights);
        expressionOffset = layout.slice("expression").offset();
        jawOffset = layout.slice("jaw").offset();
        headOffset = layout.slice("head").offset();
    }

    private static int[] indices(List<String> names, Map<String, Float> weights, float[] values) {
        int[] out = new int[weights.size()];
        int k = 0;
        for (Map.Entry<String, Float> e : weights.entrySet()) {
            out[k] = names.indexOf(e.getKey());
            if (out[k] < 0) {
                throw new IllegalArgumentException("the energy jaw's tuning uses expression '" + e.getKey()
                        + "', which the head does not have; expressions: " + names);
            }
            values[k++] = e.getValue();
        }
        return out;
    }

    /** @return the layout of the frames this writes (not null) */
    public MotionLayout layout() {
        return layout;
    }

    /**
     * Writes the motion frame of one hop of audio (one frame's worth of samples).
     *
     * @param pcm mono samples in [-1, 1] (not null, unaffected)
     * @param offset the hop's first sample
     * @param count the hop's length (&gt;0)
     * @param out receives the frame (not null, modified)
     * @param outOffset where the frame starts in {@code out} ({@code layout().dim()} values are written)
     */
    public void frame(float[] pcm, int offset, int count, float[] out, int outOffset) {
        Validate.nonNull(pcm, "pcm");
        Validate.nonNull(out, "out");
        if (count < 1 || offset < 0 || offset + count > pcm.length || outOffset < 0
                || outOffset + layout.dim() > out.length) {
            throw new IllegalArgumentException("cannot read " + count + " samples at " + offset + " of " + pcm.length
                    + " into a frame at " + outOffset + " of " + out.length);
        }
        float squares = 0f;
        for (int i = offset; i < offset + count; i++) {
            squares += pcm[i] * pcm[i];
        }
        float rms = (float) Math.sqrt((squares + previousSquares) / (count + previousCount));
        previousSquares = squares;
        previousCount = count;
        float db = 20f * (float) Math.log10(rms + 1e-7f);
        peakDb = Math.max(db, peakDb - PEAK_DECAY_DB);
        float level = db < GATE_DB ? 0f : clamp((db - (peakDb - RANGE_DB)) / RANGE_DB);
        smoothed += (level > smoothed ? ATTACK : RELEASE) * (level - smoothed);

        float s = smoothed;
        java.util.Arrays.fill(out, outOffset, outOffset + layout.dim(), 0f);
        if (lipClose >= 0) {
            out[outOffset + expressionOffset + lipClose] = LIP_PART * s;
        }
        for (int k = 0; k < held.length; k++) {
            out[outOffset + expressionOffset + held[k]] += heldWeights[k];
        }
        for (int k = 0; k < loud.length; k++) {
            out[outOffset + expressionOffset + loud[k]] += loudWeights[k] * s;
        }
        out[outOffset + jawOffset] = MAX_JAW * jawGain * s * s * (3f - 2f * s); // smoothstep: rests closed
        out[outOffset + headOffset] = CHIN_LIFT * jawGain * s;
    }

    private static float clamp(float x) {
        return x < 0f ? 0f : Math.min(1f, x);
    }
}
