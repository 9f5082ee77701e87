package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.state.BaseAppState;
import com.jme3.app.state.ScreenshotAppState;
import dev.parley.util.Validate;
import java.io.File;
import java.util.logging.Logger;

/**
 * The demo's scripted mode ({@code --scripted DIR}): lets the scene run, saves screenshots at fixed
 * times into {@code DIR} (for the README and for tests), then stops the application.
 */
public class ScriptedRunState extends BaseAppState {

    private static final Logger LOG = Logger.getLogger(ScriptedRunState.class.getName());

    private final File outDir;
    private final float[] shotTimes;
    private ScreenshotAppState screenshots;
    private float time;
    private int next;
    private int framesAfterLast = -1;

    /**
     * @param outDir where screenshots go (not null; created if missing)
     * @param shotTimes seconds after start at which to save a screenshot, increasing (not null, not empty)
     */
    public ScriptedRunState(File outDir, float... shotTimes) {
        this.outDir = Validate.nonNull(outDir, "outDir");
        this.shotTimes = Validate.nonNull(shotTimes, "shotTimes").clone();
    }

    @Override
    protected void initialize(Application app) {
        if (!outDir.isDirectory() && !outDir.mkdirs()) {
            throw new IllegalStateException("cannot create screenshot folder " + outDir);
        }
        screenshots = new ScreenshotAppState(outDir.getAbsolutePath() + File.separator);
        screenshots.setIsNumbered(false);
        getStateManager().attach(screenshots);
    }

    @Override
    public void update(float tpf) {
        time += Math.min(tpf, 0.1f); // the first frame carries the loading time
        if (next < shotTimes.length && time >= shotTimes[next]) {
            screenshots.setFileName(String.format("shot-%02d", next));
            screenshots.takeScreenshot();
            LOG.info("scripted: screenshot " + next + " at " + time + " s into " + outDir);
            next++;
            if (next == shotTimes.length) {
                framesAfterLast = 0;
            }
        } else if (framesAfterLast >= 0 && ++framesAfterLast > 3) {
            getApplication().stop();
        }
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
