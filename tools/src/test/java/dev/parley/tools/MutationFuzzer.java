package dev.parley.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A seeded mutation fuzzer for Parley's readers: it mutates a corpus of valid files (bit flips,
 * interesting integers over header fields, cuts, splices, and for JSON targets number and string
 * swaps and deep nesting) and runs each input through a {@link Target} with a per-input timeout. An
 * input must end in success or the target's documented exception; any other throwable (an
 * {@link OutOfMemoryError} included) is a crash, and running past the timeout a hang. Each crash or
 * hang is saved to the findings folder. Inputs whose outcome (the success summary, or the exception
 * message with its numbers blanked) was not seen before join the corpus, a cheap stand-in for
 * coverage feedback. The same seed and input give the same mutations.
 */
final class MutationFuzzer {

    /** One reader under test. */
    interface Target {
        /** @return a short name for files and figures */
        String name();

        /** @return the only exception type the reader documents for bad input */
        Class<? extends RuntimeException> documented();

        /** @return valid inputs to start from (not empty) */
        List<byte[]> seeds() throws Exception;

        /** @return true to add JSON-aware mutations */
        boolean text();

        /**
         * Runs the reader on one input.
         *
         * @param input the file's bytes (not null)
         * @param scratch a folder this target may write in (not null, reused between inputs)
         * @return a short summary of what was read on success (not null)
         */
        String run(byte[] input, Path scratch) throws Exception;
    }

    /**
     * What one run found.
     *
     * @param target the target's name
     * @param seed the random seed
     * @param seconds seconds fuzzed
     * @param executions inputs run
     * @param corpus inputs in the corpus at the end (seeds included)
     * @param outcomes distinct outcomes seen
     * @param crashes inputs that ended in an undocumented throwable
     * @param hangs inputs that ran past the timeout
     * @param ooms crashes that were OutOfMemoryErrors
     * @param findings one line per crash or hang: the saved file and what happened
     */
    record Report(String target, long seed, double seconds, long executions, int corpus, int outcomes, int crashes,
            int hangs, int ooms, List<String> findings) {

        /** @return this report as a JSON object */
        String json() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT,
                    "{\"target\": \"%s\", \"seed\": %d, \"seconds\": %.1f, \"executions\": %d, "
                    + "\"execsPerSecond\": %.1f, \"corpus\": %d, \"outcomes\": %d, \"crashes\": %d, \"hangs\": %d, "
                    + "\"ooms\": %d, \"findings\": [", target, seed, seconds, executions,
                    executions / Math.max(seconds, 1e-9),
                    corpus, outcomes, crashes, hangs, ooms));
            for (int i = 0; i < findings.size(); i++) {
                s.append(i > 0 ? ", " : "").append('"').append(escape(findings.get(i))).append('"');
            }
            return s.append("]}").toString();
        }
    }

    private static final int MAX_CORPUS = 4096;
    private static final Set<String> ECHO_FOLLOWS = Set.of("got", "header", "has");
    private static final Pattern FIELD = Pattern.compile("field '([^']*)'");
    private static final Pattern WORD = Pattern.compile("(?<![\\w\\\\])[a-zA-Z]{3,}(?!\\w)");
    private static final int MAX_INPUT = 1 << 20;
    private static final long[] INTERESTING = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 40, 64, 127, 128, 255, 256,
        0x7FFF, 0x8000, 0xFFFE, 0xFFFF, 0x10000, 44_100, 96_002, 999_998, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFEL,
        0xFFFF_FFFFL};
    private static final String[] NUMBERS = {"0", "-1", "1e38", "-1e38", "1e308", "1e-45", "NaN", "Infinity",
            "2147483648",
        "-2147483649", "99999999999999999999999", "0.0000001", "3", "1.5", "\"7\"", "null", "true", "[]", "{}"};
    private static final String[] STRINGS = {"\"\"", "\"\\u0000\"", "\"../../etc/passwd\"", "\"\\u001b[31m\"", "null",
            "7",
        "[]", "{}", "\"parley-style\"", "\"parley-model-pack\""};

    private final Target target;
    private final Random random;
    private final long seed;
    private final Duration timeout;
    private final Path findings;

    /**
     * @param target the reader (not null)
     * @param seed the random seed
     * @param timeout the per-input limit (not null)
     * @param findings where crashing and hanging inputs are saved (not null; created if needed)
     */
    MutationFuzzer(Target target, long seed, Duration timeout, Path findings) {
        this.target = target;
        this.seed = seed;
        this.random = new Random(seed);
        this.timeout = timeout;
        this.findings = findings;
    }

    /**
     * Fuzzes for a while.
     *
     * @param budget how long (not null)
     * @return what was found (not null)
     */
    Report run(Duration budget) throws Exception {
        // Inputs that a reader takes as files are written there: tmpfs, where there is one, is ~25x faster.
        String base = System.getProperty("parley.fuzz.scratch", "");
        Path shm = Path.of("/dev/shm");
        if (base.isEmpty() && Files.isDirectory(shm) && Files.isWritable(shm)) {
            base = shm.toString();
        }
        Path scratch = base.isEmpty() ? Files.createTempDirectory("parley-fuzz-" + target.name())
                : Files.createTempDirectory(Path.of(base), "parley-fuzz-" + target.name());
        List<byte[]> corpus = new ArrayList<>(target.seeds());
        Set<String> outcomes = new HashSet<>();
        List<String> found = new ArrayList<>();
        Map<String, Integer> seenCrash = new LinkedHashMap<>();
        int crashes = 0;
        int hangs = 0;
        int ooms = 0;
        long executions = 0;
        ExecutorService exec = newExecutor();
        long start = System.nanoTime();
        long end = start + budget.toNanos();
        try {
            int seeds = corpus.size();
            while (System.nanoTime() < end) {
                byte[] input = executions < seeds ? corpus.get((int) executions) : mutate(corpus);
                executions++;
                Future<String> f = exec.submit(() -> target.run(input, scratch));
                String outcome;
                try {
                    outcome = "ok " + f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    exec.shutdownNow();
                    exec = newExecutor(); // the stuck thread is abandoned (a daemon)
                    hangs++;
                    found.add(save(input, "hang", "ran past " + timeout.toMillis() + " ms"));
                    continue;
                } catch (ExecutionException e) {
                    Throwable t = e.getCause();
                    if (target.documented().isInstance(t)) {
                        outcome = t.getClass().getSimpleName() + " " + blank(t.getMessage());
                    } else {
                        String what = t.getClass().getName() + ": " + t.getMessage() + " at " + topFrame(t);
                        if (t instanceof OutOfMemoryError) {
                            ooms++;
                        }
                        crashes++;
                        // Save the first few inputs per distinct crash site, not thousands of copies.
                        if (seenCrash.merge(t.getClass().getName() + topFrame(t), 1, Integer::sum) <= 3) {
                            found.add(save(input, "crash", what));
                        }
                        continue;
                    }
                }
                if (outcomes.add(outcome) && corpus.size() < MAX_CORPUS) {
                    corpus.add(input);
                }
            }
        } finally {
            exec.shutdownNow();
            try (var files = Files.list(scratch)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(scratch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.createDirectories(findings);
        Files.write(findings.resolve(target.name() + "-outcomes.txt"), new java.util.TreeSet<>(outcomes));
        return new Report(target.name(), seed, seconds, executions, corpus.size(), outcomes.size(), crashes, hangs,
                ooms,
                found);
    }

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-input");
            t.setDaemon(true);
            return t;
        });
    }

    private String save(byte[] input, String kind, String what) throws Exception {
        Files.createDirectories(findings);
        Path file = findings.resolve(target.name() + "-" + kind + "-" + Integer.toHexString(Arrays.hashCode(input))
                + ".bin");
        Files.write(file, input);
        return file.getFileName() + ": " + what;
    }

    /** @return one to four stacked mutations of a corpus entry */
    byte[] mutate(List<byte[]> corpus) {
        byte[] b = corpus.get(random.nextInt(corpus.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            b = once(b, corpus);
            if (b.length > MAX_INPUT) {
                b = Arrays.copyOf(b, MAX_INPUT);
            }
        }
        return b;
    }

    private byte[] once(byte[] b, List<byte[]> corpus) {
        int kinds = target.text() ? 11 : 8;
        int kind = random.nextInt(kinds);
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(b.length);
        switch (kind) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
            case 2, 3 -> {
                // An interesting 2- or 4-byte little-endian integer, often at a header field (4-byte aligned).
                int width = kind == 2 ? 2 : 4;
                int pos = random.nextBoolean() ? Math.min(at & ~3, Math.max(0, b.length - width)) : at;
                long v = random.nextInt(4) == 0 ? b.length
                        + random.nextInt(9) - 4L : INTERESTING[random.nextInt(INTERESTING.length)];
                for (int i = 0; i < width && pos + i < b.length; i++) {
                    b[pos + i] = (byte) (v >> (8 * i));
                }
            }
            case 4 -> {
                int len = 1 + random.nextInt(Math.min(64, b.length - at));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 5 -> {
                int len = 1 + random.nextInt(Math.min(64, b.length - at));
                int to = random.nextInt(b.length + 1);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, to);
                System.arraycopy(b, at, out, to, len);
                System.arraycopy(b, to, out, to + len, b.length - to);
                return out;
            }
            case 6 -> {
                return Arrays.copyOf(b, at);
            }
            case 7 -> {
                byte[] other = corpus.get(random.nextInt(corpus.size()));
                int from = random.nextInt(other.length + 1);
                byte[] out = Arrays.copyOf(b, at + other.length - from);
                System.arraycopy(other, from, out, at, other.length - from);
                return out;
            }
            case 8 -> {
                return replaceToken(b, true);
            }
            case 9 -> {
                return replaceToken(b, false);
            }
            default -> {
                int depth = 1 + random.nextInt(random.nextBoolean() ? 50 : 5000);
                String open = random.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                String nest = open.repeat(depth) + "1" + close.repeat(depth);
                return splice(b, at, at, nest.getBytes(StandardCharsets.UTF_8));
            }
        }
        return b;
    }

    /** Swaps a JSON number (or string) token for an interesting one. */
    private byte[] replaceToken(byte[] b, boolean number) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int from = random.nextInt(s.length());
        int start = -1;
        int stop = -1;
        if (number) {
            for (int i = from; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '-' || Character.isDigit(c)) {
                    start = i;
                    stop = i + 1;
                    while (stop < s.length() && "0123456789.eE+-".indexOf(s.charAt(stop)) >= 0) {
                        stop++;
                    }
                    break;
                }
            }
        } else {
            start = s.indexOf('"', from);
            stop = start < 0 ? -1 : s.indexOf('"', start + 1) + 1;
        }
        if (start < 0 || stop <= start) {
            return b;
        }
        String[] pool = number ? NUMBERS : STRINGS;
        return splice(b, start, stop, pool[random.nextInt(pool.length)].getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] with) {
        byte[] out = new byte[b.length - (to - from) + with.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(b, to, out, from + with.length, b.length - to);
        return out;
    }

    /**
     * What kind of problem an exception message reports: the field it names and its first few words,
     * without the source, numbers, quoted text or anything else a reader echoes from the input. One
     * outcome per kind of problem, not per input.
     */
    private static String blank(String message) {
        if (message == null) {
            return "";
        }
        String first = message.split("\n", 2)[0];
        Matcher field = FIELD.matcher(first);
        String name = "";
        String tail;
        if (field.find()) {
            name = field.group(1).replaceAll("[0-9]+", "#");
            tail = first.substring(field.end());
        } else {
            int space = first.indexOf(' ');
            tail = space < 0 ? "" : first.substring(space);
        }
        tail = tail.replaceAll("'[^']*'|\"[^\"]*\"|\\[[^\\]]*\\]|\\([^)]*\\)", " ");
        StringBuilder words = new StringBuilder(name);
        Matcher w = WORD.matcher(tail);
        for (int n = 0; n < 6 && w.find(); n++) {
            words.append(' ').append(w.group());
            if (ECHO_FOLLOWS.contains(w.group())) {
                break; // what follows is the input's own text
            }
        }
        return words.toString();
    }

    private static String topFrame(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length > 0 ? st[0].toString() : "?";
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
