package dev.parley.demo;

import com.jme3.app.SimpleApplication;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.util.BufferUtils;
import dev.parley.head.HeadSpec;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.Set;
import com.jme3.system.AppSettings;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One villager of the demo, built by {@link CastState} as the demo builds it, framed close on the face under the
 * examples' plain lights (one directional, one ambient) and saying a line with the audio-driven model; screenshots
 * at fixed times (through {@link ScriptedRunState}). The rendering
 * tests use it, and {@code main} renders close-ups to look at:
 * {@code java ... dev.parley.demo.FaceCloseUp OUTDIR [character-file-id [line [distance]]]}.
 */
final class FaceCloseUp extends SimpleApplication {

    /** Seconds into the run at which the line starts. */
    static final float LINE_START = 0.6f;
    /** Game seconds per rendered frame: fixed, so each shot is taken at its game time within one step. */
    static final float STEP = 0.02f;

    private final File outDir;
    private final String character;
    private final String line;
    private final float distance;
    private final float[] shotTimes;
    private boolean keyed;
    private ColorRGBA background = new ColorRGBA(0.55f, 0.6f, 0.65f, 1f);
    private float[] yaws;
    private Camera without;
    private final ExitLatch exited = new ExitLatch();

    /**
     * @param outDir where the screenshots go
     * @param character the character file's id, e.g. {@code mara}
     * @param line the dialogue line's id
     * @param distance the camera's distance from the mouth (meters)
     * @param shotTimes seconds after start of each screenshot
     */
    FaceCloseUp(File outDir, String character, String line, float distance, float... shotTimes) {
        super((com.jme3.app.state.AppState[]) null);
        this.outDir = outDir;
        this.character = character;
        this.line = line;
        this.distance = distance;
        this.shotTimes = shotTimes.clone();
        setTimer(new FixedStepTimer(STEP));
        AppSettings settings = ParleyDemo.settings(true);
        settings.setWindowSize(640, 480);
        setSettings(settings);
        setShowSettings(false);
    }

    @Override
    public void simpleInitApp() {
        assetManager.registerLocator(DemoAssets.folder().toString(), FileLocator.class);
        CharacterAssets.Entry entry = CharacterAssets.load(DemoAssets.folder().resolve(CharacterAssets.FOLDER)).stream()
                .filter(e -> e.file().getFileName().toString().equals(character + CharacterAssets.SUFFIX)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no character file " + character));
        CastState cast = new CastState(List.of(entry.profile()), DemoAssets.packFolder(), true);
        stateManager.attach(cast);
        rootNode.addLight(new DirectionalLight(new Vector3f(-0.3f, -0.4f, -0.85f).normalizeLocal()));
        rootNode.addLight(new AmbientLight(ColorRGBA.White.mult(0.35f)));
        viewPort.setBackgroundColor(background);
        cam.setFrustumPerspective(30f, (float) cam.getWidth() / cam.getHeight(), 0.02f, 50f);
        List<ScriptedRunState.Cue> cues = List.of(
                new ScriptedRunState.Cue(0.1f, () -> {
                    frame(cast);
                    if (yaws != null) {
                        splitWithoutSockets(cast);
                    }
                    if (keyed) {
                        key(cast);
                    }
                }),
                new ScriptedRunState.Cue(LINE_START, () -> {
                    if (line != null) {
                        cast.speak(0, cast.line(line), new SpeechSettings(StylePreset.named(entry.profile().style()),
                                2f, 1.5f, 0f, 10));
                    }
                }));
        if (yaws != null) {
            cues = new ArrayList<>(cues);
            for (int i = 0; i < yaws.length; i++) {
                float yaw = yaws[i];
                cues.add(new ScriptedRunState.Cue(shotTimes[i] - 0.05f, () -> orbit(cast, yaw)));
            }
            cues.sort(java.util.Comparator.comparingDouble(ScriptedRunState.Cue::time));
        }
        stateManager.attach(new ScriptedRunState(outDir, cues, () -> describe(cast), shotTimes));
    }

    /**
     * Renders the open head in key colours: upper lip (with its inner side) blue, lower lip red, mouth interior and
     * teeth green, the rest grey, without gloss; grooming hidden.
     *
     * @return this
     */
    FaceCloseUp keyed() {
        keyed = true;
        return this;
    }

    /**
     * Orbits the camera around the head, one yaw per shot, and renders each frame twice side by side: the left half
     * without the eye sockets, the right half with them (window 1280x480). Where the halves differ, the sockets show.
     * Hair, beard and lashes are hidden in both.
     *
     * @param degrees the camera's yaw around the head at each shot (0: in front; 90: the villager's left profile)
     * @return this
     */
    FaceCloseUp orbitWithAndWithoutSockets(float... degrees) {
        if (degrees.length != shotTimes.length) {
            throw new IllegalArgumentException("one yaw per shot: " + shotTimes.length + " but got " + degrees.length);
        }
        yaws = degrees.clone();
        AppSettings settings = ParleyDemo.settings(true);
        settings.setWindowSize(1280, 480);
        setSettings(settings);
        return this;
    }

    /**
     * @param color the background (a key colour shows holes through the head)
     * @return this
     */
    FaceCloseUp background(ColorRGBA color) {
        background = color.clone();
        return this;
    }

    private static void key(CastState cast) {
        HeadSpec spec = cast.spec();
        Set<Integer> upper = ids(spec.region("upperLip"));
        Set<Integer> lower = ids(spec.region("lowerLip"));
        Set<Integer> inside = ids(spec.region("mouthInterior"));
        inside.addAll(ids(spec.region("teeth")));
        cast.speakers().get(0).head().depthFirstTraversal(s -> {
            if (!(s instanceof Geometry g)) {
                return;
            }
            Mesh mesh = g.getMesh();
            if (mesh.getVertexCount() != spec.vertexCount()) {
                g.setCullHint(Spatial.CullHint.Always);
                return;
            }
            FloatBuffer colors = BufferUtils.createFloatBuffer(4 * mesh.getVertexCount());
            for (int v = 0; v < mesh.getVertexCount(); v++) {
                ColorRGBA c = upper.contains(v) ? ColorRGBA.Blue : lower.contains(v) ? ColorRGBA.Red
                        : inside.contains(v) ? ColorRGBA.Green : ColorRGBA.Gray;
                colors.put(c.r).put(c.g).put(c.b).put(1f);
            }
            mesh.setBuffer(VertexBuffer.Type.Color, 4, colors.flip());
            g.getMaterial().setBoolean("UseGlossFromTexCoord2", false);
            g.getMaterial().setFloat("Gloss", 0f);
        });
    }

    private static Set<Integer> ids(int[] vertices) {
        Set<Integer> out = new HashSet<>();
        for (int v : vertices) {
            out.add(v);
        }
        return out;
    }

    private void frame(CastState cast) {
        CastMember s = cast.speakers().get(0);
        // -DfaceCloseUp.lift=0.09 frames the eyes
        float lift = Float.parseFloat(System.getProperty("faceCloseUp.lift", "0.045"));
        Vector3f target = s.mouthCenter(new Vector3f()).addLocal(0f, lift, 0f);
        Vector3f facing = s.node().getWorldRotation().mult(Vector3f.UNIT_Z).normalizeLocal();
        cam.setLocation(target.add(facing.mult(distance)));
        cam.lookAt(target, Vector3f.UNIT_Y);
    }

    /** The camera {@code distance} from the head's centre at eye height, {@code yaw} degrees around it. */
    private void orbit(CastState cast, float yaw) {
        CastMember s = cast.speakers().get(0);
        Vector3f facing = s.node().getWorldRotation().mult(Vector3f.UNIT_Z).normalizeLocal();
        // the head's centre: at the eyes' height, 7 cm behind the face
        Vector3f centre = s.mouthCenter(new Vector3f()).addLocal(0f, 0.09f, 0f).subtractLocal(facing.mult(0.07f));
        Vector3f dir = new Quaternion().fromAngleAxis(yaw * FastMath.DEG_TO_RAD, Vector3f.UNIT_Y).mult(facing);
        cam.setLocation(centre.add(dir.multLocal(distance)));
        cam.lookAt(centre, Vector3f.UNIT_Y);
    }

    /** A second view of the scene on the left half, with the eye sockets hidden while it renders. */
    private void splitWithoutSockets(CastState cast) {
        cam.setViewPort(0.5f, 1f, 0f, 1f);
        cam.setFrustumPerspective(30f, 0.5f * cam.getWidth() / cam.getHeight(), 0.02f, 50f);
        without = cam.clone();
        without.setViewPort(0f, 0.5f, 0f, 1f);
        ViewPort left = renderManager.createMainView("without sockets", without);
        left.setClearFlags(true, true, true);
        left.setBackgroundColor(background);
        left.attachScene(rootNode);
        List<Spatial> sockets = new ArrayList<>();
        cast.speakers().get(0).head().depthFirstTraversal(sp -> {
            if ("EyeSockets".equals(sp.getName())) {
                sockets.add(sp);
            } else if (Set.of("Hair", "Beard", "Bun", "HairBack", "Lashes").contains(sp.getName())) {
                // their strands dither with the screen position, so the halves would differ there
                sp.setCullHint(Spatial.CullHint.Always);
            }
        });
        if (sockets.isEmpty()) {
            throw new IllegalStateException("no EyeSockets geometry on " + character);
        }
        left.addProcessor(new SocketHider(sockets));
    }

    @Override
    public void simpleUpdate(float tpf) {
        if (without != null) {
            without.setLocation(cam.getLocation());
            without.setRotation(cam.getRotation());
        }
    }

    /** Hides the sockets while its view port renders. */
    private record SocketHider(List<Spatial> sockets) implements com.jme3.post.SceneProcessor {
        @Override
        public void initialize(RenderManager rm, ViewPort vp) {
        }

        @Override
        public void reshape(ViewPort vp, int w, int h) {
        }

        @Override
        public boolean isInitialized() {
            return true;
        }

        @Override
        public void preFrame(float tpf) {
            sockets.forEach(s -> s.setCullHint(Spatial.CullHint.Always));
        }

        @Override
        public void postQueue(com.jme3.renderer.queue.RenderQueue rq) {
        }

        @Override
        public void postFrame(com.jme3.texture.FrameBuffer out) {
            sockets.forEach(s -> s.setCullHint(Spatial.CullHint.Inherit));
        }

        @Override
        public void cleanup() {
        }

        @Override
        public void setProfiler(com.jme3.profile.AppProfiler profiler) {
        }
    }

    private static Map<String, Object> describe(CastState cast) {
        return Map.of("talking", cast.speakers().get(0).isTalking());
    }

    @Override
    public void destroy() {
        exited.after(super::destroy);
    }

    /**
     * @param seconds the longest wait
     * @return true if the run ended in time
     * @throws InterruptedException if interrupted
     */
    boolean awaitExit(long seconds) throws InterruptedException {
        return exited.await(seconds);
    }

    /**
     * Renders close-ups.
     *
     * @param args OUTDIR, then optionally the character id, the line id and the camera distance
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        List<Float> times = new ArrayList<>();
        for (float t = 0.4f; t < 3.6f; t += 0.2f) {
            times.add(t);
        }
        float[] shots = new float[times.size()];
        for (int i = 0; i < shots.length; i++) {
            shots[i] = times.get(i);
        }
        FaceCloseUp app = new FaceCloseUp(new File(args[0]), args.length > 1 ? args[1] : "mara",
                args.length > 2 ? args[2] : "bilabial-pie", args.length > 3 ? Float.parseFloat(args[3]) : 0.6f, shots);
        if (args.length > 4 && "keyed".equals(args[4])) {
            app.keyed();
        }
        app.start();
        app.awaitExit(600);
        System.exit(0);
    }
}
