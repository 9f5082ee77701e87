package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.state.BaseAppState;
import com.jme3.renderer.Camera;
import dev.parley.util.Validate;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import org.lwjgl.opengl.GL11;

/**
 * The demo's frame-rate benchmark ({@code --benchmark FRAMES OUT.json}): after a warm-up, times
 * {@code FRAMES} frames of the scene as the interactive demo renders it (vsync off), then writes the
 * mean frame rate, the frame time's median, 95th percentile and maximum, and every timed frame's time in
 * order (so a single stalled frame shows where it happened) to a JSON file, prints the summary and
 * stops the application. A frame's time is the wall time between two updates, so it includes the
 * render, the post filters and the buffer swap.
 */
public class FrameBenchmarkState extends BaseAppState {

    /** Frames rendered before timing starts: shader compiles, the probe bake and texture uploads. */
    public static final int WARM_UP = 40;

    private static final Logger LOG = Logger.getLogger(FrameBenchmarkState.class.getName());

    private final int frames;
    private final File out;
    private final long[] times;
    private Runnable eachFrame = () -> { };
    private int seen;
    private long last;

    /**
     * @param frames frames to time (&ge;10)
     * @param out the JSON file to write (not null; its folder is created if missing)
     */
    public FrameBenchmarkState(int frames, File out) {
        this.frames = Validate.inRange(frames, 10, 1_000_000, "frames");
        this.out = Validate.nonNull(out, "out");
        this.times = new long[frames];
    }

    /**
     * @param action run at the start of every frame, on the render thread: keeps the shot and the talking
     *     going (not null)
     */
    public void eachFrame(Runnable action) {
        eachFrame = Validate.nonNull(action, "action");
    }

    @Override
    public void update(float tpf) {
        eachFrame.run();
        long now = System.nanoTime();
        int k = seen - WARM_UP - 1;
        if (k >= 0 && k < frames) {
            times[k] = now - last;
        }
        last = now;
        seen++;
        if (k == frames - 1) {
            Map<String, Object> result = result();
            write(result);
            Map<String, Object> summary = new LinkedHashMap<>(result);
            summary.remove("frameMs");
            System.out.println("benchmark: " + summary);
            getApplication().stop();
        }
    }

    /** @return the figures of the timed frames (not null) */
    private Map<String, Object> result() {
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        double total = Arrays.stream(times).sum() / 1e9;
        Camera cam = getApplication().getCamera();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("format", "parley-demo-benchmark");
        r.put("width", cam.getWidth());
        r.put("height", cam.getHeight());
        r.put("samples", getApplication().getContext().getSettings().getSamples());
        r.put("renderer", GL11.glGetString(GL11.GL_RENDERER));
        r.put("frames", frames);
        r.put("meanFps", round(frames / total));
        r.put("p50Ms", round(percentile(sorted, 0.50) / 1e6));
        r.put("p95Ms", round(percentile(sorted, 0.95) / 1e6));
        r.put("maxMs", round(sorted[sorted.length - 1] / 1e6));
        r.put("loadAverage", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        r.put("cpus", Runtime.getRuntime().availableProcessors());
        r.put("frameMs", Arrays.stream(times).mapToDouble(t -> round(t / 1e6)).toArray());
        return r;
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    private void write(Map<String, Object> result) {
        File dir = out.getAbsoluteFile().getParentFile();
        if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
            throw new IllegalStateException("cannot create the benchmark's folder " + dir);
        }
        ScriptedRunState.writeJson(out, result);
        LOG.info("benchmark written to " + out);
    }

    @Override
    protected void initialize(Application app) {
    }

    @Override
    protected void cleanup(Application app) {
    }

    @Override
    protected void onEnable() {
    }

    @Override
    protected void onDisable() {
    }
}
