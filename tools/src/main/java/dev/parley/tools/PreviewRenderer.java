package dev.parley.tools;

import com.jme3.app.SimpleApplication;
import com.jme3.bounding.BoundingBox;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.scene.Spatial;
import com.jme3.system.AppSettings;
import dev.parley.head.HeadLook;
import dev.parley.head.MotionLayout;
import dev.parley.motion.MotionFrame;
import dev.parley.motion.MotionTrack;
import dev.parley.rig.FaceRig;
import dev.parley.rig.RigNames;
import dev.parley.util.FrameGrabber;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Renders the open head in given motion frames, one image each, in a small window (needs a display:
 * run under {@code xvfb-run} on a machine without one). Used by {@code style previews}.
 */
final class PreviewRenderer {

    private PreviewRenderer() {
    }

    /**
     * @param assets the assets folder (not null)
     * @param names the head's control names (not null)
     * @param layout the motion layout (not null)
     * @param frames motion vectors to render, each [layout.dim] (not null)
     * @param size the square image size in pixels
     * @return one image per frame (not null)
     * @throws Exception if the window cannot be opened or rendering fails
     */
    static List<BufferedImage> render(Path assets, RigNames names, MotionLayout layout, List<float[]> frames,
            int size) throws Exception {
        if (System.getenv("DISPLAY") == null || System.getenv("DISPLAY").isEmpty()) {
            throw new IllegalStateException("style previews renders with OpenGL and needs a display: run it under "
                    + "xvfb-run -a");
        }
        App app = new App(assets, names, layout, frames);
        AppSettings settings = new AppSettings(true);
        settings.setWindowSize(size, size);
        settings.setVSync(false);
        settings.setSamples(4);
        settings.setAudioRenderer(null);
        settings.setResizable(false);
        settings.setTitle("Parley style previews");
        app.setSettings(settings);
        app.setShowSettings(false);
        app.setPauseOnLostFocus(false);
        app.start();
        try {
            return app.done.get(600, TimeUnit.SECONDS);
        } finally {
            app.stop();
        }
    }

    private static final class App extends SimpleApplication {
        private final Path assets;
        private final RigNames names;
        private final MotionLayout layout;
        private final List<float[]> frames;
        private final MotionTrack track;
        private final List<BufferedImage> images = new ArrayList<>();
        private final CompletableFuture<List<BufferedImage>> done = new CompletableFuture<>();
        private FaceRig rig;
        private MotionFrame frame;
        private final FrameGrabber grabber = new FrameGrabber();
        private CompletableFuture<BufferedImage> shot;
        private int next;
        private int settle;

        App(Path assets, RigNames names, MotionLayout layout, List<float[]> frames) {
            super((com.jme3.app.state.AppState[]) null);
            this.assets = assets;
            this.names = names;
            this.layout = layout;
            this.frames = frames;
            track = new MotionTrack(layout, frames.size());
            for (float[] m : frames) {
                track.append(m, 0, 1);
            }
        }

        @Override
        public void simpleInitApp() {
            try {
                assetManager.registerLocator(assets.toString(), com.jme3.asset.plugins.FileLocator.class);
                Spatial head = assetManager.loadModel("Models/ParleyHead/ParleyHead.glb");
                HeadLook.apply(head, assetManager);
                rig = FaceRig.bind(head, names);
                frame = new MotionFrame(rig.expressionCount());
                head.updateGeometricState(); // as a root of its own, for its bounds
                BoundingBox box = (BoundingBox) head.getWorldBound();
                rootNode.attachChild(head);
                DirectionalLight key = new DirectionalLight(new Vector3f(-0.4f, -0.5f, -1f).normalizeLocal(),
                        ColorRGBA.White.mult(0.9f));
                DirectionalLight fill = new DirectionalLight(new Vector3f(0.6f, -0.2f, -0.7f).normalizeLocal(),
                        ColorRGBA.White.mult(0.35f));
                rootNode.addLight(key);
                rootNode.addLight(fill);
                rootNode.addLight(new AmbientLight(ColorRGBA.White.mult(0.35f)));
                viewPort.setBackgroundColor(new ColorRGBA(0.16f, 0.18f, 0.22f, 1f));
                Vector3f c = box.getCenter();
                float h = box.getYExtent();
                Vector3f target = c.add(0f, -0.12f * h, 0f);
                cam.setFrustumPerspective(30f, 1f, 0.01f * h, 100f * h);
                cam.setLocation(target.add(0f, 0.1f * h, 3.9f * h));
                cam.lookAt(target, Vector3f.UNIT_Y);
                viewPort.addProcessor(grabber);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }

        @Override
        public void simpleUpdate(float tpf) {
            if (shot != null && shot.isDone()) {
                images.add(shot.join());
                shot = null;
                settle = 0;
                if (++next >= frames.size()) {
                    done.complete(images);
                }
            }
            if (done.isDone() || shot != null) {
                return;
            }
            track.sample(next / (float) layout.fps(), frame);
            rig.apply(frame);
            if (++settle >= 3) { // a few frames so the morph buffers reach the GPU
                shot = grabber.request();
            }
        }

        @Override
        public void handleError(String message, Throwable t) {
            done.completeExceptionally(t != null ? t : new IllegalStateException(message));
            super.handleError(message, t);
        }
    }
}
