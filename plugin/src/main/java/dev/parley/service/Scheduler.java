package dev.parley.service;

import dev.parley.util.Validate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The inference worker's scheduling policy, apart from its mechanism: which lines cut a window next
 * (lead control), which windows share the next denoiser run (earliest deadline first, first windows
 * before all others), when each window is due, and how many steps it can afford. A pure function of
 * its inputs and an injected clock: no threads, no networks, no sleeping, so it is tested with a clock
 * the test moves ({@code SchedulerTest}). The worker ({@link InferenceService}) owns one.
 *
 * <p>Not thread-safe: the worker's alone.
 */
public final class Scheduler {

    /** What the policy reads of a line (a {@link LineJob} on the worker, stand-ins in tests). */
    public interface Timing {

        /** @return when the line was submitted, on the scheduler's clock (nanoseconds) */
        long submittedNanos();

        /**
         * @return when the line's first-window budget starts, on the scheduler's clock (nanoseconds): its
         *     submission, or for a line on the stream model the moment its first window's audio was cut
         */
        default long budgetStartNanos() {
            return submittedNanos();
        }

        /** @return windows of the line already handed over (0 while its first window is made) */
        int windowsDone();

        /** @return frames of the line already handed over */
        long framesDone();

        /** @return the line's playback time in seconds (0 before playback) */
        float playhead();

        /** @return true once the line's playback has started */
        boolean isPlaying();

        /** @return the steps requested (&gt;0) */
        int steps();

        /** @return true if the line may be sampled with fewer steps to keep up */
        boolean isAdaptive();
    }

    /**
     * A window's step choice.
     *
     * @param steps the steps to sample with (&gt;0)
     * @param requested the steps the line asked for
     * @param slack seconds until the window is due
     * @param secondsPerStep the estimated cost of one step of this window, given the competing windows
     */
    public record Choice(int steps, int requested, double slack, double secondsPerStep) {

        /** @return true if the window samples with fewer steps than requested */
        public boolean degraded() {
            return steps < requested;
        }
    }

    private final ServiceSettings settings;
    private final int fps;
    private final LongSupplier nanos;

    /**
     * @param settings the batch size, first-window budget, lead and fewest steps (not null)
     * @param fps motion frames per second (&gt;0)
     * @param nanos the clock in nanoseconds ({@code System::nanoTime} in production; not null)
     */
    public Scheduler(ServiceSettings settings, int fps, LongSupplier nanos) {
        this.settings = Validate.nonNull(settings, "settings");
        this.fps = Validate.inRange(fps, 1, 10_000, "fps");
        this.nanos = Validate.nonNull(nanos, "nanos");
    }

    /** @return the clock's time now (nanoseconds) */
    public long now() {
        return nanos.getAsLong();
    }

    /**
     * Lead control: a line cuts its next window only while its motion runs less than
     * {@link ServiceSettings#maxLead()} ahead of its playback, which bounds the memory of long lines.
     *
     * @param line the line (not null, unaffected)
     * @return true if the line may start its next window now
     */
    public boolean mayStartWindow(Timing line) {
        return line.framesDone() < (long) ((line.playhead() + settings.maxLead()) * fps);
    }

    /**
     * Seconds from {@code now} until a line's current window must be ready: a first window within the
     * first-window budget of its start ({@link Timing#budgetStartNanos()}); later windows when playback reaches
     * them (before playback starts, assume it starts when the first window is due).
     *
     * @param line the line (not null, unaffected)
     * @param now the clock's time (nanoseconds)
     * @return the slack in seconds (negative when late)
     */
    public double deadline(Timing line, long now) {
        double budgetEnd = (line.budgetStartNanos() - now) / 1e9 + settings.firstWindowBudget();
        if (line.windowsDone() == 0) {
            return budgetEnd;
        }
        double windowStart = line.framesDone() / (double) fps;
        return line.isPlaying() ? windowStart - line.playhead() : budgetEnd + windowStart;
    }

    /**
     * Picks the windows for the next denoiser run: the most urgent first, at most
     * {@link ServiceSettings#maxBatchCharacters()}, and only first windows while any is waiting (a
     * line's first frames start its audio).
     *
     * @param <T> the kind of line
     * @param waiting the lines whose window needs steps (not null; sorted in place by deadline)
     * @param chosen receives the picked lines, most urgent first (not null, cleared first)
     */
    public <T extends Timing> void pickForRun(List<T> waiting, List<T> chosen) {
        chosen.clear();
        boolean anyFirst = false;
        for (T t : waiting) {
            anyFirst |= t.windowsDone() == 0;
        }
        long now = now();
        waiting.sort(Comparator.comparingDouble(t -> deadline(t, now)));
        for (T t : waiting) {
            if (chosen.size() == settings.maxBatchCharacters()) {
                break;
            }
            if (!anyFirst || t.windowsDone() == 0) {
                chosen.add(t);
            }
        }
    }

    /**
     * The steps for a window starting now: as many as fit before it is due, given that {@code competing}
     * windows share runs of at most maxBatchCharacters (each window gets one step per round of runs).
     * Lines that are not adaptive, and any line before the cost is measured, get the steps they asked for.
     *
     * @param line the line (not null, unaffected)
     * @param competing windows in progress, this one included (&gt;0)
     * @param secondsPerRow the measured cost of one denoiser row (3 rows per window-step; 0 = unknown)
     * @return the choice (not null)
     */
    public Choice chooseSteps(Timing line, int competing, double secondsPerRow) {
        int requested = line.steps();
        double slack = deadline(line, now());
        if (!line.isAdaptive() || secondsPerRow <= 0) {
            return new Choice(requested, requested, slack, 0);
        }
        int batch = settings.maxBatchCharacters();
        // First windows run on their own, before all others.
        double run = line.windowsDone() == 0 ? secondsPerRow * 3
                : secondsPerRow * 3 * Math.min(batch, competing) * Math.ceil(competing / (double) batch);
        int affordable = (int) Math.floor(0.8 * slack / run);
        int steps = Math.max(Math.min(settings.minSteps(), requested), Math.min(requested, affordable));
        return new Choice(steps, requested, slack, run);
    }

    /**
     * @param character the character's name (not null)
     * @param line the line's name (not null)
     * @param c a degraded later window's choice (not null)
     * @return the warning logged once per line that falls behind, naming the character and the line
     */
    public static String behindMessage(String character, String line, Choice c) {
        return String.format(Locale.ROOT, "Parley is behind on %s's line '%s': sampling with %d of %d steps"
                + " (window due in %.2f s, %.1f ms per step)", character, line, c.steps(), c.requested(), c.slack(),
                c.secondsPerStep() * 1000);
    }
}
