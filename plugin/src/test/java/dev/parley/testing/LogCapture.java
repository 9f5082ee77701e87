package dev.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what some loggers log, instead of printing it, for tests that feed bad input on purpose:
 * the expected warnings and errors are asserted, and a passing run's output stays free of SEVERE
 * lines and stack traces that nobody checks. Records of every level the loggers pass are kept, from
 * any thread (lower a logger's level with {@link #atLevel} to capture FINE records, say); the
 * loggers' console output is silenced until {@link #close}.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of(TalkingHead.class)) {   // or of("dev.parley"), or all()
 *     head.say(brokenClip);
 *     log.assertLogged(Level.WARNING, "broken.ogg");
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {

    private static final Formatter FORMAT = new SimpleFormatter();

    private final List<Logger> loggers = new ArrayList<>();
    private final List<Boolean> usedParentHandlers = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();
    private final List<Handler> removedRootHandlers = new ArrayList<>();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
            // Nothing buffered.
        }

        @Override
        public void close() {
            // Nothing held.
        }
    };

    private LogCapture(String[] names) {
        handler.setLevel(Level.ALL);
        if (names.length == 0) {
            // Everything: take the root logger's console handlers away while capturing.
            Logger root = Logger.getLogger("");
            for (Handler h : root.getHandlers()) {
                removedRootHandlers.add(h);
                root.removeHandler(h);
            }
            root.addHandler(handler);
            loggers.add(root);
            usedParentHandlers.add(root.getUseParentHandlers());
            return;
        }
        for (String name : names) {
            Logger logger = Logger.getLogger(name);
            loggers.add(logger);
            usedParentHandlers.add(logger.getUseParentHandlers());
            logger.setUseParentHandlers(false);
            logger.addHandler(handler);
        }
    }

    /**
     * Starts capturing the loggers named after some classes (and their child loggers).
     *
     * @param classes the classes whose loggers to capture (not null, not empty)
     * @return a new capture (not null; close it, e.g. with try-with-resources)
     */
    public static LogCapture of(Class<?>... classes) {
        if (classes.length == 0) {
            throw new IllegalArgumentException("name at least one class, or use LogCapture.all()");
        }
        String[] names = new String[classes.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = classes[i].getName();
        }
        return new LogCapture(names);
    }

    /**
     * Starts capturing named loggers (and their child loggers), e.g. {@code "dev.parley"}.
     *
     * @param names the logger names (not null, not empty)
     * @return a new capture (not null; close it)
     */
    public static LogCapture of(String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("name at least one logger, or use LogCapture.all()");
        }
        return new LogCapture(names.clone());
    }

    /**
     * Starts capturing everything that reaches the root logger (third-party libraries included).
     *
     * @return a new capture (not null; close it)
     */
    public static LogCapture all() {
        return new LogCapture(new String[0]);
    }

    /**
     * Sets the captured loggers' level, so that records down to it are logged and captured, e.g.
     * {@code Level.FINE} for a debug record a test observes. Each logger's own level comes back on
     * {@link #close}.
     *
     * @param level the lowest level to log (not null)
     * @return this capture (not null)
     */
    public LogCapture atLevel(Level level) {
        if (levels.isEmpty()) {
            // The loggers' own levels, for close(), kept once.
            for (Logger logger : loggers) {
                levels.add(logger.getLevel());
            }
        }
        for (Logger logger : loggers) {
            logger.setLevel(level);
        }
        return this;
    }

    /** @return the records captured so far, oldest first (a live, thread-safe view) */
    public List<LogRecord> records() {
        return records;
    }

    /**
     * @param atLeast the lowest level to include (not null)
     * @return a copy of the captured records at that level or above, oldest first (not null)
     */
    public List<LogRecord> records(Level atLeast) {
        List<LogRecord> out = new ArrayList<>();
        for (LogRecord r : records) {
            if (r.getLevel().intValue() >= atLeast.intValue()) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * @param level the level (not null)
     * @return the texts (see {@link #text}) of the records logged at exactly that level, in order
     */
    public List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(LogCapture::text).toList();
    }

    /**
     * @param level the level (not null)
     * @param fragment text to find (not null)
     * @return true if a record at exactly that level contains the fragment in its text
     */
    public boolean contains(Level level, String fragment) {
        return messages(level).stream().anyMatch(m -> m.contains(fragment));
    }

    /**
     * Asserts that a record of exactly this level was logged whose text (message with its parameters,
     * then the message of any exception it carries) contains a fragment.
     *
     * @param level the level (not null)
     * @param fragment the text to find (not null)
     * @return the first matching record (not null)
     */
    public LogRecord assertLogged(Level level, String fragment) {
        for (LogRecord r : records) {
            if (r.getLevel().equals(level) && text(r).contains(fragment)) {
                return r;
            }
        }
        return fail("expected a " + level + " record containing '" + fragment + "' but got " + describe(records));
    }

    /**
     * Asserts that nothing at this level or above was logged.
     *
     * @param atLeast the lowest level that fails the test (not null)
     */
    public void assertNone(Level atLeast) {
        List<LogRecord> found = records(atLeast);
        assertEquals(List.of(), describe(found), "records at " + atLeast + " or above");
    }

    /**
     * @param record a record (not null)
     * @return its message with parameters filled in, then the message of its exception, if any
     */
    public static String text(LogRecord record) {
        String message = FORMAT.formatMessage(record);
        Throwable t = record.getThrown();
        return t == null ? message : message + " | " + t;
    }

    private static List<String> describe(List<LogRecord> list) {
        List<String> out = new ArrayList<>();
        for (LogRecord r : list) {
            out.add(r.getLevel() + " " + r.getLoggerName() + ": " + text(r));
        }
        return out;
    }

    /** Stops capturing and gives the loggers their console output back. */
    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            Logger logger = loggers.get(i);
            logger.removeHandler(handler);
            logger.setUseParentHandlers(usedParentHandlers.get(i));
            if (i < levels.size()) {
                logger.setLevel(levels.get(i));
            }
        }
        Logger root = Logger.getLogger("");
        for (Handler h : removedRootHandlers) {
            root.addHandler(h);
        }
    }
}
