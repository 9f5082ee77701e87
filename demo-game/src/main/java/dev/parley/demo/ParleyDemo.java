package dev.parley.demo;

import com.jme3.app.SimpleApplication;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.bounding.BoundingBox;
import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import com.jme3.renderer.opengl.GLRenderer;
import com.jme3.system.AppSettings;
import com.simsilica.lemur.Container;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lwjgl.opengl.GL11;

/**
 * The Parley demo: a courtyard with four villagers who talk. Assembles the demo's app states.
 * <pre>
 * ParleyDemo                  interactive
 * ParleyDemo --scripted DIR   plays a fixed sequence, saves screenshots into DIR and exits
 * ParleyDemo --driver model   starts with the audio-driven model (or {@code energy}: the energy jaw);
 *                             by default the model when the pack is trained
 * ParleyDemo --benchmark N OUT.json
 *                             times N frames of the group shot as the interactive demo renders it
 *                             (vsync off, no audio; the energy jaw unless --driver says), writes OUT.json, exits
 * </pre>
 */
public final class ParleyDemo extends SimpleApplication {

    /** The line the scripted mode has the first character say. */
    static final String SCRIPTED_LINE = "greeting";
    /** Script times of the group shots (the first before the line starts). */
    static final float[] GROUP_SHOTS = {0.3f, 0.7f, 1.0f, 1.3f, 1.6f, 1.9f};
    /** Script time of the strip's first frame: 1.86 s into the line ("Welcome to the Copper"). */
    static final float STRIP_START = 2.26f;
    /** Seconds between the strip's frames. */
    static final float STRIP_STEP = 0.04f;
    /** Frames in the strip. */
    static final int STRIP_FRAMES = 24;
    /** When the listener blinks, in seconds after the strip's start. */
    static final float BLINK_AT = 0.42f;
    /** The strip frame that is also the hero shot. */
    static final int HERO_FRAME = 16;
    /** The hero shot's file in the scripted mode's folder. */
    public static final String HERO_FILE = "hero.png";
    /** The strip's file in the scripted mode's folder. */
    public static final String STRIP_FILE = "strip.png";
    /** Anisotropic filtering of the scene's textures (they leave it to the renderer's default). */
    static final int ANISOTROPY = 4;

    private final File scriptedDir;
    private final Boolean startWithModel;
    private FrameBenchmarkState benchmark;
    private final ExitLatch exited = new ExitLatch();
    private volatile boolean failed;

    /**
     * @param scriptedDir where the scripted mode saves screenshots, or null for the interactive demo
     */
    public ParleyDemo(File scriptedDir) {
        this(scriptedDir, null);
    }

    /**
     * @param scriptedDir where the scripted mode saves screenshots, or null for the interactive demo
     * @param startWithModel true: the model, false: the energy jaw, null: the model when the pack is trained
     */
    public ParleyDemo(File scriptedDir, Boolean startWithModel) {
        super((com.jme3.app.state.AppState[]) null);
        this.scriptedDir = scriptedDir;
        this.startWithModel = startWithModel;
        if (scriptedDir != null) {
            setTimer(new CappedTimer(ScriptedRunState.MAX_STEP));
        }
    }

    /**
     * @param args {@code --scripted DIR} for the scripted mode, or nothing
     */
    public static void main(String[] args) {
        File scripted = null;
        Boolean model = null;
        FrameBenchmarkState bench = null;
        for (int i = 0; i < args.length; i++) {
            if ("--scripted".equals(args[i]) && i + 1 < args.length) {
                scripted = new File(args[++i]);
            } else if ("--benchmark".equals(args[i]) && i + 2 < args.length && args[i + 1].matches("[0-9]{2,7}")) {
                bench = new FrameBenchmarkState(Integer.parseInt(args[i + 1]), new File(args[i + 2]));
                i += 2;
            } else if ("--driver".equals(args[i]) && i + 1 < args.length && args[i + 1].matches("model|energy")) {
                model = "model".equals(args[++i]);
            } else if (!args[i].isBlank()) {
                System.err.println("unknown argument '" + args[i]
                        + "'; usage: ParleyDemo [--scripted DIR] [--driver model|energy]"
                        + " [--benchmark FRAMES OUT.json]");
                System.exit(2);
            }
        }
        ParleyDemo app = new ParleyDemo(scripted, bench != null && model == null ? Boolean.FALSE : model);
        AppSettings settings = settings(scripted != null);
        if (bench != null) {
            app.benchmark = bench;
            settings.setVSync(false);
            settings.setFrameRate(-1);
            settings.setAudioRenderer(null);
        }
        app.setSettings(settings);
        app.setShowSettings(false);
        app.start();
        try {
            app.exited.await(); // the render loop runs on its own thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (app.failed) {
            System.err.println("Parley demo: could not start (see the error above). It needs an OpenGL 3.2+ display; "
                    + "without one, run it under xvfb-run.");
            System.exit(1);
        }
    }

    /** Remembers the failure so that {@link #main} exits non-zero (e.g. no display); jME logs it and stops. */
    @Override
    public void handleError(String errorMessage, Throwable t) {
        failed = true;
        exited.after(() -> super.handleError(errorMessage, t));
    }

    /**
     * The window settings. The interactive demo gets OpenAL's audio renderer when the default output
     * device opens ({@link AudioDevices#outputAvailable()}), else none: it then runs silent.
     *
     * @param scripted true for the scripted mode (no vsync, no audio: its capped frame clock would
     *     disagree with the audio clock that faces follow)
     * @return the demo's window settings (not null)
     */
    public static AppSettings settings(boolean scripted) {
        AppSettings settings = new AppSettings(true);
        settings.setTitle("Parley demo");
        settings.setWindowSize(1280, 720);
        settings.setSamples(scripted ? 0 : 4);
        settings.setVSync(!scripted);
        settings.setResizable(false);
        if (scripted || !AudioDevices.outputAvailable()) {
            settings.setAudioRenderer(null);
        }
        return settings;
    }

    /**
     * @param glRenderer OpenGL's {@code GL_RENDERER} string (not null)
     * @return true if it names one of Mesa's software rasterisers. Their anisotropic filter is an elliptical one
     *     whose loop can cover a whole texture for one pixel: this scene then had frames of minutes now and then,
     *     on every face shader. A GPU filters in fixed hardware, so only software rendering goes without.
     */
    static boolean isSoftwareRasteriser(String glRenderer) {
        String name = glRenderer.toLowerCase(Locale.ROOT);
        return name.contains("llvmpipe") || name.contains("softpipe") || name.contains("swrast");
    }

    @Override
    public void simpleInitApp() {
        assetManager.registerLocator(DemoAssets.folder().toString(), FileLocator.class);
        setPauseOnLostFocus(false);
        boolean software = renderer instanceof GLRenderer
                && isSoftwareRasteriser(String.valueOf(GL11.glGetString(GL11.GL_RENDERER)));
        renderer.setDefaultAnisotropicFilter(software ? 1 : ANISOTROPY);
        CastState cast = new CastState(DemoAssets.folder().resolve(CharacterAssets.FOLDER), DemoAssets.packFolder(),
                startWithModel);
        OrbitCameraState camera = new OrbitCameraState();
        DialogueCameraState dialogue = new DialogueCameraState();
        stateManager.attachAll(new CourtyardState(scriptedDir == null), cast, camera, dialogue,
                new ParleyPanelState());
        if (scriptedDir != null) {
            stateManager.attach(scripted(cast, camera));
        } else if (benchmark != null) {
            stateManager.attach(benchmark);
            benchmark.eachFrame(() -> {
                dialogue.setEnabled(false); // the same group shot as before the dialogue camera existed
                camera.frame(groupCenter(cast), Vector3f.UNIT_Z, 3.7f);
                camera.snap();
                if (!cast.speakers().get(0).isTalking()) {
                    cast.speak(0, cast.line(SCRIPTED_LINE), stateManager.getState(ParleyPanelState.class).settings());
                }
            });
        }
    }

    /**
     * One character says a line while the others listen: group shots from the orbit camera, then the dialogue
     * camera on the speaker and a listener, shot every {@link #STRIP_STEP} s across "Welcome to the Copper"
     * (its m and p close the lips), during which the listener blinks. Writes {@link #HERO_FILE} and
     * {@link #STRIP_FILE} at the end.
     */
    private ScriptedRunState scripted(CastState cast, OrbitCameraState camera) {
        DialogueCameraState dialogue = stateManager.getState(DialogueCameraState.class);
        List<ScriptedRunState.Cue> cues = List.of(
                new ScriptedRunState.Cue(0.2f, () -> {
                    dialogue.setEnabled(false);
                    camera.frame(groupCenter(cast), Vector3f.UNIT_Z, 3.7f);
                    camera.snap();
                }),
                new ScriptedRunState.Cue(0.4f, () -> cast.speak(0, cast.line(SCRIPTED_LINE),
                        stateManager.getState(ParleyPanelState.class).settings())),
                // Well after the last group shot: a slow first frame can shift every shot by up to one step.
                new ScriptedRunState.Cue(STRIP_START - 0.15f, () -> {
                    CastMember speaker = cast.speakers().get(0);
                    dialogue.frame(speaker, DialogueCameraState.listenerFor(cast.speakers(), speaker));
                    dialogue.setEnabled(true);
                    ((CappedTimer) getTimer()).setMaxTimePerFrame(STRIP_STEP);
                }),
                new ScriptedRunState.Cue(STRIP_START + BLINK_AT, () -> {
                    CastMember listener = dialogue.listener();
                    List<String> targets = cast.spec().expressionTargets();
                    ForcedBlink.start(listener.talker(), targets.indexOf("blink_L"), targets.indexOf("blink_R"));
                }),
                new ScriptedRunState.Cue(STRIP_START + STRIP_FRAMES * STRIP_STEP,
                        () -> ((CappedTimer) getTimer()).setMaxTimePerFrame(ScriptedRunState.MAX_STEP)));
        float[] times = new float[GROUP_SHOTS.length + STRIP_FRAMES];
        for (int i = 0; i < GROUP_SHOTS.length; i++) {
            times[i] = GROUP_SHOTS[i];
        }
        for (int i = 0; i < STRIP_FRAMES; i++) {
            times[GROUP_SHOTS.length + i] = STRIP_START + i * STRIP_STEP;
        }
        ScriptedRunState run = new ScriptedRunState(scriptedDir, cues, () -> describe(cast), times);
        run.whenDone(shots -> ShotStrip.write(scriptedDir, shots, GROUP_SHOTS.length, HERO_FRAME));
        return run;
    }

    private static Vector3f groupCenter(CastState cast) {
        Vector3f sum = new Vector3f();
        for (CastMember s : cast.speakers()) {
            sum.addLocal(s.mouthCenter(new Vector3f()));
        }
        // Slightly low and to the right: the group sits left of the panel, faces in the upper half.
        return sum.divideLocal(cast.speakers().size()).addLocal(0.5f, -0.3f, 0f);
    }

    /**
     * Screen rectangles (image pixels, top-left origin) of each mouth, each pair of eyes (open heads) and of the
     * panel, and who the dialogue camera frames, for tests and the strip.
     */
    private Map<String, Object> describe(CastState cast) {
        Camera cam = getCamera();
        List<Map<String, Object>> characters = new ArrayList<>();
        for (CastMember s : cast.speakers()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", s.profile().name());
            c.put("talking", s.isTalking());
            c.put("mouth", screenRect(cam, s.mouthCorners()));
            BoundingBox eyes = cast.eyesBox(s);
            if (eyes != null) {
                c.put("eyes", screenRect(cam, s.corners(eyes, 0f)));
            }
            characters.add(c);
        }
        DialogueCameraState dialogue = stateManager.getState(DialogueCameraState.class);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("camera", dialogue.isEnabled() && dialogue.speaker() != null ? "dialogue" : "orbit");
        if (dialogue.isEnabled() && dialogue.speaker() != null) {
            out.put("speaker", dialogue.speaker().profile().name());
            out.put("listener", dialogue.listener().profile().name());
        }
        Container panel = stateManager.getState(ParleyPanelState.class).panel();
        Vector3f at = panel.getWorldTranslation();
        Vector3f size = panel.getSize();
        out.put("characters", characters);
        out.put("panel",
                Map.of("attached", panel.getParent() != null, "children", panel.getLayout().getChildren().size(),
                "rect",
                new int[] {(int) at.x, (int) (cam.getHeight() - at.y), (int) (at.x + size.x),
                        (int) (cam.getHeight() - at.y + size.y)}));
        return out;
    }

    /** The screen rectangle (image pixels, top-left origin) {x0, y0, x1, y1} around world points. */
    private static int[] screenRect(Camera cam, Vector3f[] points) {
        float minX = Float.MAX_VALUE;
        float minY = Float.MAX_VALUE;
        float maxX = -Float.MAX_VALUE;
        float maxY = -Float.MAX_VALUE;
        for (Vector3f corner : points) {
            Vector3f p = cam.getScreenCoordinates(corner);
            minX = Math.min(minX, p.x);
            maxX = Math.max(maxX, p.x);
            minY = Math.min(minY, cam.getHeight() - p.y);
            maxY = Math.max(maxY, cam.getHeight() - p.y);
        }
        return new int[] {(int) Math.floor(minX), (int) Math.floor(minY), (int) Math.ceil(maxX), (int) Math.ceil(maxY)};
    }

    /**
     * Waits until the application has shut down (the scripted mode stops by itself).
     *
     * @param seconds the longest wait
     * @return true if it shut down in time
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitExit(long seconds) throws InterruptedException {
        return exited.await(seconds);
    }

    @Override
    public void destroy() {
        exited.after(super::destroy);
    }
}
