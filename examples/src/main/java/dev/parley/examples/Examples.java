package dev.parley.examples;

import com.jme3.app.SimpleApplication;
import com.jme3.asset.AssetManager;
import com.jme3.input.KeyInput;
import com.jme3.input.controls.ActionListener;
import com.jme3.input.controls.KeyTrigger;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import com.jme3.scene.Spatial;
import com.jme3.system.AppSettings;
import dev.parley.head.HeadLook;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.lwjgl.openal.ALC10;

/**
 * What the examples share beyond their one idea: the open head and pack's paths, a lit and framed
 * stage, and a window without sound where the machine has no sound device. {@link HelloTalkingHead}
 * spells all of it out.
 */
public final class Examples {

    /** The model pack, relative to the folder the game runs in. */
    public static final Path PACK = Path.of("models/packs/parley-base-v1");
    /** The open head's spec (asset path). */
    public static final String HEAD_SPEC = "Models/ParleyHead/ParleyHead.spec.json";
    /** The open head's model (asset path). */
    public static final String HEAD_MODEL = "Models/ParleyHead/ParleyHead.glb";

    private static final Logger LOG = Logger.getLogger(Examples.class.getName());

    private Examples() {
    }

    /**
     * Starts an example with {@link #settings}.
     *
     * @param app the example (not null, not started)
     * @param title the window title (not null)
     */
    public static void start(SimpleApplication app, String title) {
        app.setSettings(settings(title));
        app.setShowSettings(false);
        app.start();
    }

    /**
     * Loads the open head with Parley's face material.
     *
     * @param assetManager the asset manager (not null)
     * @return a new head, not attached (not null)
     */
    public static Spatial loadHead(AssetManager assetManager) {
        Spatial head = assetManager.loadModel(HEAD_MODEL);
        HeadLook.apply(head, assetManager);
        return head;
    }

    /**
     * Lights the scene (the face material is lit) and points the camera at a target, with a near plane
     * suited to 30 cm heads; hides jME's statistics and stops the fly camera.
     *
     * @param app the example (not null, initialising)
     * @param target the point to look at (not null, unaffected)
     * @param from the camera's location (not null, unaffected)
     */
    public static void stage(SimpleApplication app, Vector3f target, Vector3f from) {
        app.getRootNode().addLight(new DirectionalLight(new Vector3f(-0.3f, -0.4f, -0.85f).normalizeLocal()));
        app.getRootNode().addLight(new AmbientLight(ColorRGBA.White.mult(0.35f)));
        app.getViewPort().setBackgroundColor(new ColorRGBA(0.2f, 0.22f, 0.26f, 1f));
        Camera cam = app.getCamera();
        cam.setFrustumPerspective(30f, (float) cam.getWidth() / cam.getHeight(), 0.05f, 100f);
        cam.setLocation(from);
        cam.lookAt(target, Vector3f.UNIT_Y);
        app.getFlyByCamera().setEnabled(false);
        app.setDisplayStatView(false);
    }

    /**
     * Runs an action each time SPACE is pressed (the examples' "again").
     *
     * @param app the example (not null, initialising)
     * @param action what to do, on the render thread (not null)
     */
    public static void onSpace(SimpleApplication app, Runnable action) {
        app.getInputManager().addMapping("again", new KeyTrigger(KeyInput.KEY_SPACE));
        app.getInputManager().addListener((ActionListener) (name, pressed, tpf) -> {
            if (pressed) {
                action.run();
            }
        }, "again");
    }

    /**
     * A 1024x768 window; no audio renderer when there is no sound device, because jME 3.9 crashes at
     * start when OpenAL opens none (faces still animate, on Parley's own clock).
     *
     * @param title the window title (not null)
     * @return new settings (not null)
     */
    public static AppSettings settings(String title) {
        AppSettings settings = new AppSettings(true);
        settings.setTitle(title);
        settings.setWindowSize(1024, 768);
        settings.setSamples(4);
        if (!soundDeviceAvailable()) {
            LOG.warning("No sound device: the example runs silent (faces still animate)");
            settings.setAudioRenderer(null);
        }
        return settings;
    }

    /** @return true if OpenAL opens the default output device (LWJGL loads OpenAL with ALC10) */
    static boolean soundDeviceAvailable() {
        try {
            long device = ALC10.alcOpenDevice((ByteBuffer) null);
            return device != 0L && ALC10.alcCloseDevice(device);
        } catch (RuntimeException | LinkageError e) {
            LOG.warning("OpenAL unavailable: " + e);
            return false;
        }
    }
}
