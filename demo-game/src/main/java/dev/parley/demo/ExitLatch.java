package dev.parley.demo;

import dev.parley.util.Validate;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tells the thread that started a jME application when the application has shut down: the render loop runs on a
 * thread of its own, so {@code start()} returns at once. The application wraps its {@code destroy()} (and a failed
 * start's {@code handleError}) in {@link #after}; the starting thread waits in {@link #await}.
 */
final class ExitLatch {

    private final CountDownLatch latch = new CountDownLatch(1);

    /**
     * Runs the application's shutdown step, then marks the application exited, even if the step throws.
     *
     * @param step the step, e.g. {@code super::destroy} (not null)
     */
    void after(Runnable step) {
        Validate.nonNull(step, "step");
        try {
            step.run();
        } finally {
            latch.countDown();
        }
    }

    /**
     * @param seconds the longest wait (&ge;0)
     * @return true if the application exited in time
     * @throws InterruptedException if interrupted while waiting
     */
    boolean await(long seconds) throws InterruptedException {
        return latch.await(seconds, TimeUnit.SECONDS);
    }

    /**
     * Waits for as long as the application runs.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void await() throws InterruptedException {
        latch.await();
    }
}
