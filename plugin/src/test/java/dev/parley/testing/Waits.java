package dev.parley.testing;

import java.util.concurrent.Callable;

/** Waiting for a condition in tests, polled every few milliseconds up to a deadline. */
public final class Waits {

    private Waits() {
    }

    /**
     * Polls a condition until it holds or the time is up.
     *
     * @param seconds the most to wait
     * @param condition the condition, polled on the calling thread (not null; may throw, which ends the wait)
     * @return true if it held in time
     */
    public static boolean until(double seconds, Callable<Boolean> condition) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (condition.call()) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }
}
