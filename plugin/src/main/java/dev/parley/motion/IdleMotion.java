package dev.parley.motion;

import dev.parley.util.Validate;
import java.util.Random;

/**
 * What a face does when it is not talking: blinks at random (a Poisson process, about 17 a minute),
 * slow breathing in the head and lips, smooth head micro-motion, and small eye saccades with
 * fixations in between. Deterministic for a seed; advanced by the render loop's time step.
 */
public final class IdleMotion {

    private static final float BLINK_DURATION = 0.18f;
    private static final float MEAN_BLINK_INTERVAL = 3.5f;

    private final Random random;
    private final int blinkL;
    private final int blinkR;
    private final int lipsPart;
    private float time;
    private float nextBlink;
    private float blinkStart = -1f;
    private float nextSaccade;
    private float gazeX;
    private float gazeY;
    private float targetGazeX;
    private float targetGazeY;
    private final float phase1;
    private final float phase2;
    private final float phase3;

    /**
     * @param seed the random seed
     * @param blinkL the expression index of the left blink (or -1)
     * @param blinkR the expression index of the right blink (or -1)
     * @param lipsPart the expression index used for breathing lips, e.g. {@code lip_close} (or -1)
     */
    public IdleMotion(long seed, int blinkL, int blinkR, int lipsPart) {
        this.random = new Random(seed);
        this.blinkL = blinkL;
        this.blinkR = blinkR;
        this.lipsPart = lipsPart;
        nextBlink = exponential(MEAN_BLINK_INTERVAL);
        nextSaccade = 0.5f + random.nextFloat();
        phase1 = random.nextFloat() * 6.283f;
        phase2 = random.nextFloat() * 6.283f;
        phase3 = random.nextFloat() * 6.283f;
    }

    /**
     * Advances time and writes the idle pose.
     *
     * @param tpf seconds since the last call (&ge;0)
     * @param out receives blinks, breathing, head micro-motion and eye rotations (not null, modified;
     *     other expression weights untouched)
     */
    public void update(float tpf, MotionFrame out) {
        Validate.nonNull(out, "out");
        if (!(tpf >= 0f)) {
            throw new IllegalArgumentException("tpf must be >= 0 but is " + tpf);
        }
        time += tpf;
        // Blinks: start one when due; close fast, open slower.
        if (blinkStart < 0f && time >= nextBlink) {
            blinkStart = time;
        }
        float blink = 0f;
        if (blinkStart >= 0f) {
            float u = (time - blinkStart) / BLINK_DURATION;
            if (u >= 1f) {
                blinkStart = -1f;
                nextBlink = time + Math.max(0.4f, exponential(MEAN_BLINK_INTERVAL));
            } else {
                blink = u < 0.35f ? u / 0.35f : 1f - (u - 0.35f) / 0.65f;
            }
        }
        if (blinkL >= 0) {
            out.setExpression(blinkL, blink);
        }
        if (blinkR >= 0) {
            out.setExpression(blinkR, blink);
        }
        // Breathing at about 0.25 Hz: a slight nod and lips that part a little on the in-breath.
        float breath = (float) Math.sin(2 * Math.PI * 0.25 * time + phase1);
        if (lipsPart >= 0) {
            out.setExpression(lipsPart, -0.05f - 0.04f * breath);
        }
        // Head micro-motion: sums of slow sines (under 1.5 degrees), smooth by construction.
        float pitch = 0.006f * breath + 0.008f * (float) Math.sin(0.37 * time + phase2);
        float yaw = 0.015f * (float) Math.sin(0.23 * time + phase3) + 0.006f * (float) Math.sin(0.61 * time + phase1);
        float roll = 0.006f * (float) Math.sin(0.29 * time + phase2);
        out.setRotation(FaceJoint.HEAD, pitch, yaw, roll);
        // Saccades: jump to a new nearby fixation every 0.6-2.5 s; reach it in about 40 ms.
        if (time >= nextSaccade) {
            targetGazeX = (random.nextFloat() - 0.5f) * 0.12f;
            targetGazeY = (random.nextFloat() - 0.5f) * 0.18f;
            nextSaccade = time + 0.6f + 1.9f * random.nextFloat();
        }
        float k = 1f - (float) Math.exp(-tpf / 0.015f);
        gazeX += k * (targetGazeX - gazeX);
        gazeY += k * (targetGazeY - gazeY);
        out.setRotation(FaceJoint.EYE_L, gazeX, gazeY, 0f);
        out.setRotation(FaceJoint.EYE_R, gazeX, gazeY, 0f);
    }

    private float exponential(float mean) {
        return (float) (-mean * Math.log(1.0 - random.nextDouble()));
    }
}
