package dev.parley.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a logger tree logs while a test feeds bad input on purpose, instead of printing it, so
 * that the test can assert the records and a passing run prints no expected warnings. Close it to
 * restore the logger.
 *
 * <pre>
 * try (LogCapture log = LogCapture.of("dev.parley")) {
 *     ...
 *     assertTrue(log.contains(Level.WARNING, "cannot say"));
 * }
 * </pre>
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final boolean parentHandlers;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.parentHandlers = logger.getUseParentHandlers();
        setLevel(Level.ALL);
        logger.addHandler(this);
        logger.setUseParentHandlers(false);
    }

    /**
     * @param loggerName the logger whose records (and its children's) to capture, e.g. {@code "dev.parley"}
     * @return a capture in progress (the caller closes it)
     */
    public static LogCapture of(String loggerName) {
        return new LogCapture(Logger.getLogger(loggerName));
    }

    /** @return the records so far (a live, thread-safe view) */
    public List<LogRecord> records() {
        return records;
    }

    /**
     * @param level the level (not null)
     * @return the messages logged at that level, in order
     */
    public List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }

    /**
     * @param level the level
     * @param fragment text the message contains
     * @return true if a record at that level contains the fragment
     */
    public boolean contains(Level level, String fragment) {
        return messages(level).stream().anyMatch(m -> m != null && m.contains(fragment));
    }

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
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
    }
}
