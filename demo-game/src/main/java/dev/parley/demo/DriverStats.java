package dev.parley.demo;

/**
 * Inference figures for the overlay.
 *
 * @param device where inference runs, e.g. {@code CUDA}, {@code CPU} or {@code energy jaw (no model)} (not null)
 * @param msPerWindow mean wall time per sampled window in ms, or NaN when not applicable
 * @param realTimeFactor seconds of speech animated per second of compute (above 1 is faster than real
 *        time; the runtime benchmark's definition), or NaN
 */
public record DriverStats(String device, float msPerWindow, float realTimeFactor) {

    /** @return the overlay text (not null) */
    public String describe() {
        return "inference: " + device + "   ms/window: "
                + (Float.isNaN(msPerWindow) ? "n/a" : String.format("%.1f", msPerWindow))
                + "   real-time factor: "
                + (Float.isNaN(realTimeFactor) ? "n/a" : String.format("%.1fx", realTimeFactor));
    }
}
