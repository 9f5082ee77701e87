package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.jme3.app.Application;
import com.jme3.app.SimpleApplication;
import com.jme3.app.state.AbstractAppState;
import com.jme3.app.state.AppStateManager;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.system.AppSettings;
import dev.parley.util.FrameGrabber;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * Runs a real jME application in a window (under Xvfb in CI: Mesa llvmpipe gives LWJGL3 an OpenGL
 * core context) so tests can build a scene, render it and read the pixels back.
 *
 * <p>Without a display the test is skipped, unless {@code -Dparley.requireDisplay=true} (set by
 * {@code scripts/test.sh}), in which case it fails: CI must never silently skip rendering.
 */
public final class RenderHarness implements AutoCloseable {

    private final SimpleApplication app;
    private final FrameGrabber grabber;

    private RenderHarness(SimpleApplication app, FrameGrabber grabber) {
        this.app = app;
        this.grabber = grabber;
    }

    /**
     * Starts an application and waits until it has rendered its first frame.
     *
     * @param width the window width in pixels
     * @param height the window height in pixels
     * @param init builds the scene on the render thread (not null)
     * @return a running harness (not null)
     */
    public static RenderHarness start(int width, int height, Consumer<SimpleApplication> init) throws Exception {
        return start(new App(init), width, height);
    }

    /**
     * Starts a whole application (an example, the demo) in a window of the given size, with no audio
     * renderer, and waits until it has rendered its first frame.
     *
     * @param app the application, not yet started (not null; its settings are replaced)
     * @param width the window width in pixels
     * @param height the window height in pixels
     * @return a running harness (not null)
     */
    public static RenderHarness start(SimpleApplication app, int width, int height) throws Exception {
        requireDisplay();
        AppSettings settings = new AppSettings(true);
        settings.setWindowSize(width, height);
        settings.setVSync(false);
        settings.setFrameRate(120);
        settings.setSamples(0);
        settings.setAudioRenderer(null);
        settings.setResizable(false);
        settings.setTitle("Parley render test");
        Probe probe = new Probe();
        app.getStateManager().attach(probe);
        if (app instanceof App a) {
            a.probe = probe;
        }
        app.setSettings(settings);
        app.setShowSettings(false);
        app.setPauseOnLostFocus(false);
        app.start();
        if (!awaitFirstFrame(app, probe)) {
            app.stop();
            fail("jME application did not render its first frame within 60 s");
        }
        if (probe.initError != null) {
            app.stop();
            throw new IllegalStateException("scene setup failed", probe.initError);
        }
        return new RenderHarness(app, probe.grabber);
    }

    /**
     * Waits for the first frame, or for the application to stop before it (an exception in
     * {@code simpleInitApp}: jME logs it, then destroys the context).
     */
    private static boolean awaitFirstFrame(SimpleApplication app, Probe probe) throws InterruptedException {
        boolean created = false;
        for (int waited = 0; waited < 60_000; waited += 10) {
            if (probe.started.await(10, TimeUnit.MILLISECONDS)) {
                return true;
            }
            boolean alive = app.getContext() != null && app.getContext().isCreated();
            if (created && !alive) {
                probe.failed(new IllegalStateException("the application stopped before its first frame (see the log)"));
                return true;
            }
            created |= alive;
        }
        return false;
    }

    /** Skips (or, when required, fails) a test that needs a display. */
    public static void requireDisplay() {
        boolean hasDisplay = System.getenv("DISPLAY") != null && !System.getenv("DISPLAY").isEmpty();
        if (!hasDisplay && Boolean.getBoolean("parley.requireDisplay")) {
            fail("No DISPLAY: rendering tests must run under Xvfb (use scripts/test.sh)");
        }
        assumeTrue(hasDisplay, "No DISPLAY: rendering test skipped (run scripts/test.sh for Xvfb)");
    }

    /**
     * Runs a task on the render thread and waits for it.
     *
     * @param task the task (not null)
     * @param <T> the result type
     * @return the task's result
     */
    public <T> T call(Callable<T> task) throws Exception {
        // Our own future: jME's AppTask.get(timeout) waits only once and can return early.
        CompletableFuture<T> result = new CompletableFuture<>();
        app.enqueue(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(60, TimeUnit.SECONDS);
    }

    /**
     * Waits until a condition, checked on the render thread, holds.
     *
     * @param seconds the most to wait
     * @param condition the condition (not null)
     * @return true if it held in time
     */
    public boolean await(double seconds, BooleanSupplier condition) throws Exception {
        return Waits.until(seconds, () -> call(condition::getAsBoolean));
    }

    /**
     * Runs a task on the render thread, lets a few frames render, and captures the next frame.
     *
     * @param task changes the scene (not null)
     * @return the captured frame, top row first (not null)
     */
    public BufferedImage capture(Runnable task) throws Exception {
        call(() -> {
            task.run();
            return null;
        });
        // Three full frames so controls update and skinning/morph buffers reach the GPU.
        for (int i = 0; i < 3; i++) {
            call(() -> null);
        }
        CompletableFuture<BufferedImage> shot = call(grabber::request);
        return shot.get(60, TimeUnit.SECONDS);
    }

    /**
     * Saves an image as PNG for people to look at, under the folder named by the system property
     * {@code parley.screenshots}, else {@code target/screenshots/}.
     *
     * @param image the image (not null)
     * @param name the file name without extension (not null)
     * @return the written file
     */
    public static Path save(BufferedImage image, String name) throws IOException {
        Path dir = Path.of(System.getProperty("parley.screenshots", Path.of("target", "screenshots").toString()));
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    /**
     * Lights a head for a portrait render: a key light from the upper right, ambient fill, a grey-blue
     * background. Call on the render thread.
     *
     * @param app the application (not null)
     */
    public static void portraitLighting(SimpleApplication app) {
        app.getRootNode().addLight(new DirectionalLight(new Vector3f(-0.3f, -0.4f, -0.85f).normalizeLocal(),
                ColorRGBA.White.mult(0.9f)));
        app.getRootNode().addLight(new AmbientLight(ColorRGBA.White.mult(0.35f)));
        app.getViewPort().setBackgroundColor(new ColorRGBA(0.2f, 0.22f, 0.26f, 1f));
    }

    /** @return the running application (not null; touch its scene only through {@link #call}) */
    public SimpleApplication app() {
        return app;
    }

    @Override
    public void close() {
        app.stop(true);
    }

    /** Adds the frame grabber once the scene is built and signals the first rendered frame. */
    private static final class Probe extends AbstractAppState {
        private final CountDownLatch started = new CountDownLatch(1);
        private final FrameGrabber grabber = new FrameGrabber();
        private volatile Throwable initError;

        void failed(Throwable t) {
            initError = t;
            started.countDown();
        }

        @Override
        public void initialize(AppStateManager stateManager, Application app) {
            super.initialize(stateManager, app);
            app.getViewPort().addProcessor(grabber);
        }

        @Override
        public void postRender() {
            started.countDown();
        }
    }

    private static final class App extends SimpleApplication {
        private final Consumer<SimpleApplication> init;
        private volatile Probe probe;

        App(Consumer<SimpleApplication> init) {
            super((com.jme3.app.state.AppState[]) null);
            this.init = init;
        }

        @Override
        public void simpleInitApp() {
            try {
                init.accept(this);
            } catch (Throwable t) {
                probe.failed(t);
            }
        }

        @Override
        public void handleError(String errMsg, Throwable t) {
            probe.failed(t);
            super.handleError(errMsg, t);
        }
    }
}
