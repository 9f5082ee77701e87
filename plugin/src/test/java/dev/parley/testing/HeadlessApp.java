package dev.parley.testing;

import com.jme3.app.SimpleApplication;
import com.jme3.asset.plugins.FileLocator;
import com.jme3.system.AppSettings;
import com.jme3.system.JmeContext;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real jME application with a headless context and no audio renderer, its update loop running on
 * its own thread at a fixed frame rate. Tests run code on the render thread with {@link #call} and
 * wait for conditions checked there with {@link #await}.
 */
public final class HeadlessApp extends SimpleApplication implements AutoCloseable {

    private final CountDownLatch started = new CountDownLatch(1);

    private HeadlessApp() {
        super((com.jme3.app.state.AppState[]) null);
    }

    /**
     * @param fps the update loop's rate
     * @return a started application (the caller closes it)
     */
    public static HeadlessApp start(int fps) throws InterruptedException {
        HeadlessApp app = new HeadlessApp();
        AppSettings settings = new AppSettings(true);
        settings.setAudioRenderer(null);
        settings.setFrameRate(fps);
        app.setSettings(settings);
        app.setShowSettings(false);
        app.start(JmeContext.Type.Headless);
        if (!app.started.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("headless application did not start");
        }
        return app;
    }

    @Override
    public void simpleInitApp() {
        assetManager.registerLocator(TestAssets.assets().toString(), FileLocator.class);
        started.countDown();
    }

    /**
     * Runs a task on the render thread and waits for it.
     *
     * @param task the task
     * @param <T> its result type
     * @return its result
     */
    public <T> T call(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        enqueue(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(60, TimeUnit.SECONDS);
    }

    /**
     * Waits until a condition, checked on the render thread once per frame, holds.
     *
     * @param seconds the most to wait
     * @param condition the condition
     * @return true if it held in time
     */
    public boolean await(double seconds, BooleanSupplier condition) throws Exception {
        return Waits.until(seconds, () -> call(condition::getAsBoolean));
    }

    @Override
    public void close() {
        stop(true);
    }
}
