package dev.parley.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.jme3.app.Application;
import com.jme3.app.state.BaseAppState;
import com.jme3.app.state.ScreenshotAppState;
import dev.parley.util.Validate;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.lwjgl.opengl.GL11;

/**
 * The demo's scripted mode ({@code --scripted DIR}): runs cues at fixed times (say a line, frame
 * the camera), saves screenshots at fixed times into {@code DIR} as {@code shot-NN.png} with
 * {@code shots.json} describing each (for the README and for the rendering test), then stops the
 * application. Time is the frame clock with each step capped at 0.1 s, so slow software rendering
 * still reaches every shot.
 */
public class ScriptedRunState extends BaseAppState {

    /** The description file written beside the screenshots. */
    public static final String SHOTS_FILE = "shots.json";

    /** The most seconds one frame advances the script (and, through {@link CappedTimer}, the game). */
    public static final float MAX_STEP = 0.1f;

    private static final Logger LOG = Logger.getLogger(ScriptedRunState.class.getName());

    /**
     * Something to do at a time.
     *
     * @param time seconds after start (&ge;0)
     * @param action what to do, on the render thread (not null)
     */
    public record Cue(float time, Runnable action) {
        /** Validates the fields. */
        public Cue {
            Validate.nonNull(action, "action");
            if (!(time >= 0f)) {
                throw new IllegalArgumentException("time must be >= 0 but is " + time);
            }
        }
    }

    private final File outDir;
    private final List<Cue> cues;
    private final float[] shotTimes;
    private final Supplier<Map<String, Object>> describe;
    private final List<Map<String, Object>> shots = new ArrayList<>();
    private ScreenshotAppState screenshots;
    private float time;
    private int nextCue;
    private int next;
    private int framesAfterLast = -1;
    private java.util.function.Consumer<List<Map<String, Object>>> whenDone = shots -> { };

    /**
     * @param outDir where screenshots go (not null; created if missing)
     * @param cues actions in time order (not null, unaffected)
     * @param describe called at each screenshot, on the render thread; its map goes into {@code shots.json} (not null)
     * @param shotTimes seconds after start at which to save a screenshot, increasing (not null, not empty)
     */
    public ScriptedRunState(File outDir, List<Cue> cues, Supplier<Map<String, Object>> describe, float... shotTimes) {
        this.outDir = Validate.nonNull(outDir, "outDir");
        this.cues = List.copyOf(Validate.nonNull(cues, "cues"));
        this.describe = Validate.nonNull(describe, "describe");
        this.shotTimes = Validate.nonNull(shotTimes, "shotTimes").clone();
        if (shotTimes.length == 0) {
            throw new IllegalArgumentException("shotTimes must not be empty");
        }
    }

    /**
     * @param action run on the render thread after the last screenshot is written, with each shot's description
     *     in order (not null)
     */
    public void whenDone(java.util.function.Consumer<List<Map<String, Object>>> action) {
        whenDone = Validate.nonNull(action, "action");
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
        time += Math.min(tpf, MAX_STEP); // the first frame carries the loading time; the timer caps the rest
        while (nextCue < cues.size() && time >= cues.get(nextCue).time()) {
            cues.get(nextCue++).action().run();
        }
        if (next < shotTimes.length && time >= shotTimes[next]) {
            String name = String.format("shot-%02d", next);
            screenshots.setFileName(name);
            screenshots.takeScreenshot();
            Map<String, Object> shot = new LinkedHashMap<>();
            shot.put("file", name + ".png");
            shot.put("time", time);
            shot.putAll(describe.get());
            shots.add(shot);
            LOG.info("scripted: screenshot " + next + " at " + time + " s into " + outDir);
            next++;
            if (next == shotTimes.length) {
                framesAfterLast = 0;
            }
        } else if (framesAfterLast >= 0 && ++framesAfterLast > 3) {
            writeShots();
            whenDone.accept(List.copyOf(shots));
            getApplication().stop();
        }
    }

    private void writeShots() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", "parley-demo-shots");
        root.put("width", getApplication().getCamera().getWidth());
        root.put("height", getApplication().getCamera().getHeight());
        root.put("renderer", GL11.glGetString(GL11.GL_RENDERER));
        root.put("anisotropy", getApplication().getRenderer().getDefaultAnisotropicFilter());
        root.put("shots", shots);
        writeJson(new File(outDir, SHOTS_FILE), root);
    }

    /**
     * Writes a value as indented JSON.
     *
     * @param file the file (not null; its folder must exist)
     * @param value maps, lists, strings, numbers, arrays (not null)
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    static void writeJson(File file, Object value) {
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
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
