package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.jme3.app.SimpleApplication;
import com.jme3.renderer.RenderManager;
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

    private final App app;

    private RenderHarness(App app) {
        this.app = app;
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
        requireDisplay();
        AppSettings settings = new AppSettings(true);
        settings.setWindowSize(width, height);
        settings.setVSync(false);
        settings.setFrameRate(120);
        settings.setSamples(0);
        settings.setAudioRenderer(null);
        settings.setResizable(false);
        settings.setTitle("Parley render test");
        App app = new App(init);
        app.setSettings(settings);
        app.setShowSettings(false);
        app.setPauseOnLostFocus(false);
        app.start();
        if (!app.started.await(60, TimeUnit.SECONDS)) {
            app.stop();
            fail("jME application did not start within 60 s");
        }
        if (app.initError != null) {
            app.stop();
            throw new IllegalStateException("scene setup failed", app.initError);
        }
        return new RenderHarness(app);
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
        CompletableFuture<BufferedImage> shot = call(app.grabber::request);
        return shot.get(60, TimeUnit.SECONDS);
    }

    /**
     * Saves an image as PNG under {@code target/screenshots/} for people to look at.
     *
     * @param image the image (not null)
     * @param name the file name without extension (not null)
     * @return the written file
     */
    public static Path save(BufferedImage image, String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    /** @return the running application (not null; touch its scene only through {@link #call}) */
    public SimpleApplication app() {
        return app;
    }

    @Override
    public void close() {
        app.stop(true);
    }

    private static final class App extends SimpleApplication {
        private final Consumer<SimpleApplication> init;
        private final CountDownLatch started = new CountDownLatch(1);
        private final FrameGrabber grabber = new FrameGrabber();
        private volatile Throwable initError;

        App(Consumer<SimpleApplication> init) {
            super((com.jme3.app.state.AppState[]) null);
            this.init = init;
        }

        @Override
        public void simpleInitApp() {
            try {
                init.accept(this);
                viewPort.addProcessor(grabber);
            } catch (Throwable t) {
                initError = t;
                started.countDown();
            }
        }

        @Override
        public void simpleRender(RenderManager rm) {
            started.countDown();
        }

        @Override
        public void handleError(String errMsg, Throwable t) {
            initError = t;
            started.countDown();
            super.handleError(errMsg, t);
        }
    }
}
