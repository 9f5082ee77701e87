package dev.parley.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scheduling policy alone, on a clock the test moves: no threads, no networks, no sleeping. Default
 * settings (batch of 4, first windows within 0.12 s, 8 s of lead, at least 2 steps), 25 fps.
 */
class SchedulerTest {

    private static final long MS = 1_000_000L;

    /** A line as the policy sees it. */
    record Line(String name, long submittedNanos, int windowsDone, long framesDone, float playhead, boolean isPlaying,
            int steps, boolean isAdaptive) implements Scheduler.Timing {
    }

    private final long[] clock = {0L};
    private final Scheduler scheduler = new Scheduler(ServiceSettings.defaults(), 25, () -> clock[0]);

    private static Line first(String name, long submittedNanos) {
        return new Line(name, submittedNanos, 0, 0, 0f, false, 10, true);
    }

    private static Line later(String name, long framesDone, float playhead) {
        return new Line(name, 0, (int) (framesDone / 100), framesDone, playhead, true, 10, true);
    }

    @Test
    void aFirstWindowIsDueAtTheBudgetAfterSubmission() {
        Line l = first("a", 40 * MS);
        clock[0] = 100 * MS;
        assertEquals(0.06, scheduler.deadline(l, scheduler.now()), 1e-6);
        clock[0] = 400 * MS;
        assertEquals(-0.24, scheduler.deadline(l, scheduler.now()), 1e-6, "late by 0.24 s");
    }

    @Test
    void aLaterWindowIsDueWhenPlaybackReachesIt() {
        clock[0] = 5_000 * MS;
        assertEquals(0.5, scheduler.deadline(later("a", 100, 3.5f), scheduler.now()), 1e-6);
        // Before playback starts: assume it starts when the first window is due (0.12 s after submission).
        Line notPlaying = new Line("b", 4_900 * MS, 1, 100, 0f, false, 10, true);
        assertEquals(-0.1 + 0.12 + 4.0, scheduler.deadline(notPlaying, scheduler.now()), 1e-6);
    }

    @Test
    void leadControlStopsALineEightSecondsAheadOfPlayback() {
        assertTrue(scheduler.mayStartWindow(later("a", 100, 0f)));
        assertFalse(scheduler.mayStartWindow(later("a", 200, 0f)), "8 s made, playhead at 0");
        assertTrue(scheduler.mayStartWindow(later("a", 200, 0.1f)));
    }

    @Test
    void firstWindowsRunBeforeAllOthersThenEarliestDeadlineFirstInBatchesOfFour() {
        clock[0] = 1_000 * MS;
        List<Line> waiting = new ArrayList<>(List.of(later("soon", 100, 3.9f), first("new", 990 * MS),
                later("later", 200, 5f), first("older", 900 * MS)));
        List<Line> chosen = new ArrayList<>();
        scheduler.pickForRun(waiting, chosen);
        assertEquals(List.of("older", "new"), chosen.stream().map(Line::name).toList());

        waiting = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waiting.add(later("w" + i, 100, 4f + 0.5f * i)); // w5 is the most urgent (due 2.5 s ago)
        }
        scheduler.pickForRun(waiting, chosen);
        assertEquals(List.of("w5", "w4", "w3", "w2"), chosen.stream().map(Line::name).toList());
    }

    @Test
    void stepsFitTheTimeLeftAndShrinkAsTheClockRuns() {
        double row = 0.006; // 18 ms per window-step with CFG
        Line l = first("a", 0);
        assertEquals(5, scheduler.chooseSteps(l, 1, row).steps(), "floor(0.8 x 0.12 / 0.018)");
        clock[0] = 60 * MS;
        assertEquals(2, scheduler.chooseSteps(l, 1, row).steps(), "floor(0.8 x 0.06 / 0.018)");
        clock[0] = 500 * MS;
        Scheduler.Choice late = scheduler.chooseSteps(l, 1, row);
        assertEquals(2, late.steps(), "never below minSteps");
        assertTrue(late.degraded());

        // Eight later windows competing share runs of four: each step costs 2 runs of 4 rows-of-3.
        clock[0] = 10_000 * MS;
        Scheduler.Choice behind = scheduler.chooseSteps(later("b", 100, 3.0f), 8, row);
        assertEquals(0.144, behind.secondsPerStep(), 1e-9);
        assertEquals(5, behind.steps(), "floor(0.8 x 1.0 / 0.144)");
        assertEquals(10, scheduler.chooseSteps(later("b", 200, 3.0f), 8, row).steps(), "5 s of slack: all 10");
    }

    @Test
    void fixedLinesAndAnUnmeasuredMachineGetTheStepsAsked() {
        clock[0] = 10_000 * MS;
        Line fixed = new Line("fixed", 0, 0, 0, 0f, false, 10, false);
        assertEquals(10, scheduler.chooseSteps(fixed, 16, 0.006).steps());
        assertFalse(scheduler.chooseSteps(first("a", 0), 16, 0).degraded());
    }

    @Test
    void theBehindWarningNamesTheCharacterAndTheLine() {
        assertEquals("Parley is behind on guard's line 'Sounds/guard_01.ogg': sampling with 4 of 10 steps"
                + " (window due in 0.31 s, 26.4 ms per step)",
                Scheduler.behindMessage("guard", "Sounds/guard_01.ogg", new Scheduler.Choice(4, 10, 0.31, 0.0264)));
    }
}
