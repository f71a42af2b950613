package io.github.stytchmigration.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Replaces the console handlers of java.util.logging (where SLF4J goes) for the run; keeps WARN+ lines. */
final class LogSink extends Handler implements AutoCloseable {
    private final Handler[] saved;
    final List<String> warnings = new CopyOnWriteArrayList<>();

    private LogSink(Handler[] saved) {
        this.saved = saved;
    }

    /**
     * The filter still builds every log record (the level stays INFO, so its per-login INFO line is
     * paid for), but nothing is written to the console, which on two cores would measure the terminal.
     */
    static LogSink install() {
        Logger root = Logger.getLogger("");
        Handler[] saved = root.getHandlers();
        for (Handler h : saved) {
            root.removeHandler(h);
        }
        LogSink sink = new LogSink(saved);
        sink.setLevel(Level.INFO);
        root.addHandler(sink);
        return sink;
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue() && warnings.size() < 100) {
            warnings.add(record.getLoggerName() + ": " + record.getMessage());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger root = Logger.getLogger("");
        root.removeHandler(this);
        for (Handler h : saved) {
            root.addHandler(h);
        }
    }
}
