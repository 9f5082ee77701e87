package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes every reader in {@link FuzzTargets} at once, each for {@code -Dparley.fuzz.seconds} (3 by
 * default, for CI), and fails on any crash, hang (past {@code -Dparley.fuzz.timeoutMs}, 10 s) or
 * out-of-memory error. {@code scripts/fuzz.sh 30m} runs it for longer and writes the figures as JSON
 * to {@code -Dparley.fuzz.out}; crashing inputs go to {@code -Dparley.fuzz.findings}.
 */
class FuzzTest {

    @TempDir
    Path tmp;

    @Test
    void noReaderCrashesHangsOrRunsOutOfMemoryOnMutatedFiles() throws Exception {
        Duration budget =
                Duration.ofMillis((long) (Double.parseDouble(System.getProperty("parley.fuzz.seconds", "3")) * 1000));
        Duration timeout = Duration.ofMillis(Long.getLong("parley.fuzz.timeoutMs", 10_000));
        long seed = Long.getLong("parley.fuzz.seed", 20261205L);
        String findingsProp = System.getProperty("parley.fuzz.findings", "");
        Path findings = findingsProp.isEmpty() ? tmp.resolve("findings") : Path.of(findingsProp);
        List<MutationFuzzer.Target> targets = FuzzTargets.all();
        ExecutorService pool = Executors.newFixedThreadPool(targets.size());
        List<MutationFuzzer.Report> reports = new ArrayList<>();
        try {
            List<Future<MutationFuzzer.Report>> runs = new ArrayList<>();
            for (MutationFuzzer.Target t : targets) {
                runs.add(pool.submit(() -> new MutationFuzzer(t, seed, timeout, findings).run(budget)));
            }
            for (Future<MutationFuzzer.Report> r : runs) {
                reports.add(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
        String json = reports.stream().map(MutationFuzzer.Report::json)
                .collect(Collectors.joining(",\n  ", "{\"reports\": [\n  ", "\n]}\n"));
        String out = System.getProperty("parley.fuzz.out", "");
        if (!out.isEmpty()) {
            Files.writeString(Path.of(out), json);
        }
        System.out.print(json);
        for (MutationFuzzer.Report r : reports) {
            assertTrue(r.executions() > r.corpus(), r.target() + " ran only its seeds: " + r.json());
            assertEquals(0, r.crashes() + r.hangs(), r.target() + ": " + r.json());
        }
    }
}
