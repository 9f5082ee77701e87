package dev.parley.demo;

import com.jme3.system.NanoTimer;

/**
 * A timer whose every frame advances the game by the same step, however long the frame took to render: a screenshot
 * at a fixed game time is taken at that time within one step. With the real-time timer (capped at 0.1 s) a software
 * renderer's 30-100 ms frames let a shot land anywhere in the frame that crossed its time, so the talking, turning
 * head was caught in a different pose on each run (EyeSocketRenderTest saw a stray pixel on some runs and not others).
 */
final class FixedStepTimer extends NanoTimer {

    private final float step;

    /**
     * @param step seconds each frame advances the game (&gt;0)
     */
    FixedStepTimer(float step) {
        if (!(step > 0f)) {
            throw new IllegalArgumentException("step must be > 0 but is " + step);
        }
        this.step = step;
    }

    @Override
    public float getTimePerFrame() {
        return step;
    }
}
