package io.github.stytchmigration.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures everything logged through java.util.logging (where the tests' SLF4J binding sends the
 * filter's lines), at every level, with stack traces and the whole cause chain.
 */
final class LogCapture extends Handler {
    private final StringBuffer text = new StringBuffer();
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final Logger root = Logger.getLogger("");
    private final Logger filterLogger = Logger.getLogger("io.github.stytchmigration");
    private Level previousLevel;

    void start() {
        setLevel(Level.ALL);
        previousLevel = filterLogger.getLevel();
        // DEBUG lines too: a rejected request is described at DEBUG (FINE in JUL)
        filterLogger.setLevel(Level.ALL);
        root.addHandler(this);
    }

    void stop() {
        root.removeHandler(this);
        filterLogger.setLevel(previousLevel);
    }

    String text() {
        return text.toString();
    }

    @Override
    public void publish(LogRecord record) {
        text.append(formatter.format(record));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append(trace);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
