package dev.parley.demo;

import com.jme3.system.NanoTimer;

/**
 * A frame timer whose time per frame never exceeds a cap, for the scripted mode: under slow software
 * rendering a frame can take seconds of wall time, and capping it keeps every state (idle motion,
 * Parley's fallback speech clock, the script's cues) on the same slowed game clock, so a line is still
 * being spoken when the script's screenshots are taken. Parley's inference worker runs on wall time,
 * so it only gets further ahead.
 */
public final class CappedTimer extends NanoTimer {

    private volatile float maxTimePerFrame;

    /**
     * @param maxTimePerFrame the most seconds one frame may advance the game (&gt;0)
     */
    public CappedTimer(float maxTimePerFrame) {
        if (!(maxTimePerFrame > 0f)) {
            throw new IllegalArgumentException("maxTimePerFrame must be > 0 but is " + maxTimePerFrame);
        }
        this.maxTimePerFrame = maxTimePerFrame;
    }

    /**
     * @param seconds the most seconds one frame may advance the game from now on (&gt;0)
     */
    public void setMaxTimePerFrame(float seconds) {
        if (!(seconds > 0f)) {
            throw new IllegalArgumentException("seconds must be > 0 but is " + seconds);
        }
        maxTimePerFrame = seconds;
    }

    @Override
    public float getTimePerFrame() {
        return Math.min(super.getTimePerFrame(), maxTimePerFrame);
    }
}
