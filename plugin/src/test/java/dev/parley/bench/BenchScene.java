package dev.parley.bench;

import com.jme3.app.SimpleApplication;
import com.jme3.app.state.AppState;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadLook;
import dev.parley.testing.RenderHarness;
import dev.parley.testing.TestAssets;
import java.util.ArrayList;
import java.util.List;

/** The benchmarks' scene: rows of six Parley heads in a 480 x 270 window, lit as the demo lights them. */
final class BenchScene {

    private BenchScene() {
    }

    /**
     * Opens the window (needs a display).
     *
     * @param recorder an app state attached first, e.g. one that records frame times (not null)
     * @return the running harness (not null)
     */
    static RenderHarness start(AppState recorder) throws Exception {
        return RenderHarness.start(480, 270, app -> {
            app.getStateManager().attach(recorder);
            app.getAssetManager().registerLocator(TestAssets.assets().toString(), FileLocator.class);
            app.getRootNode().addLight(new AmbientLight(ColorRGBA.White.mult(0.4f)));
            app.getRootNode().addLight(new DirectionalLight(new Vector3f(-0.3f, -0.5f, -1f).normalizeLocal()));
            app.getCamera().setLocation(new Vector3f(0, 0.2f, 2.2f));
            app.getCamera().lookAt(new Vector3f(0, 0.2f, 0), Vector3f.UNIT_Y);
        });
    }

    /**
     * Loads the head once with its look and attaches {@code count} clones, six to a row.
     *
     * @param h the running harness (not null)
     * @param count how many heads (&ge; 0)
     * @return the heads, in the scene (not null)
     */
    static List<Spatial> heads(RenderHarness h, int count) throws Exception {
        SimpleApplication app = h.app();
        Spatial template = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
        HeadLook.apply(template, app.getAssetManager());
        return h.call(() -> {
            List<Spatial> l = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Spatial m = template.clone();
                m.setLocalTranslation((i % 6 - 2.5f) * 0.3f, (i / 6) * 0.35f - 0.1f, 0);
                app.getRootNode().attachChild(m);
                l.add(m);
            }
            return l;
        });
    }
}
