package dev.parley.demo;

import com.jme3.system.AppSettings;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The demo as a player starts it (its window settings with the audio device probe, its cast and
 * panel), made to have the first character say one line and exit once the line has been said. Run
 * by {@link DemoAudioDeviceTest} in a JVM of its own, whose environment chooses OpenAL's output.
 * Prints one line: {@code RESULT audio=<an audio renderer was made> talked=<the line was animated>
 * seconds=<wall seconds from the line's start to its end>}; exits non-zero on a failure.
 */
final class SayOneLine {

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);

    private SayOneLine() {
    }

    /**
     * @param args the line id, then {@code model} or {@code energy}
     * @throws Exception on any failure (the JVM exits non-zero)
     */
    public static void main(String[] args) throws Exception {
        ParleyDemo app = new ParleyDemo(null, "model".equals(args[1]));
        AppSettings settings = ParleyDemo.settings(false);
        settings.setSamples(0); // software OpenGL under Xvfb
        settings.setVSync(false);
        app.setSettings(settings);
        app.setShowSettings(false);
        app.start();
        try {
            CastState cast = await(app, () -> {
                CastState c = app.getStateManager().getState(CastState.class);
                ParleyPanelState panel = app.getStateManager().getState(ParleyPanelState.class);
                boolean ready = c != null && c.isInitialized() && panel != null && panel.isInitialized();
                return Optional.ofNullable(ready ? c : null);
            });
            long start = System.nanoTime();
            app.enqueue(() -> {
                cast.speak(0, cast.line(args[0]), app.getStateManager().getState(ParleyPanelState.class).settings());
                return true; // jME's AppTask takes a null result for a timeout
            }).get(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            boolean talked = app.enqueue(() -> cast.speakers().get(0).isTalking())
                    .get(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            await(app, () -> Optional.ofNullable(cast.speakers().get(0).isTalking() ? null : Boolean.TRUE));
            float seconds = (System.nanoTime() - start) / 1e9f;
            Thread.sleep(300); // the device's last buffers
            System.out.println("RESULT audio=" + (app.getAudioRenderer() != null) + " talked=" + talked
                    + " seconds=" + seconds);
        } finally {
            app.stop();
            app.awaitExit(60);
        }
        System.exit(0);
    }

    /** Polls a query on the render thread until it returns a value. */
    private static <T> T await(ParleyDemo app, Callable<Optional<T>> query) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            Optional<T> value = app.enqueue(query).get(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the demo did not get there within " + TIMEOUT_NANOS / 1_000_000_000L + " s");
    }
}
