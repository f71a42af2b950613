package io.github.stytchmigration.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captures everything logged through java.util.logging, where the tests' SLF4J binding (slf4j-jdk14),
 * Jetty and Tomcat send their lines: every level of the filter's loggers (a rejected request is
 * described at DEBUG, FINE in JUL), INFO and above of the rest, with stack traces and the whole cause chain.
 *
 * <p>Only text is kept, never a {@link LogRecord}: a record's parameters or exception could hold a class of
 * an undeployed webapp and pin its class loader.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) { ...; logs.assertNoSecretLogged(secrets); }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {
    /** One logged line: {@code message} with its parameters filled in; {@code thrown} the stack trace, or "". */
    public record Line(String logger, Level level, String message, String thrown) {
        String text() {
            return level + " " + logger + ": " + message + "\n" + thrown;
        }
    }

    private final Logger root = Logger.getLogger("");
    // a strong reference: JUL keeps loggers weakly, and a collected logger forgets its level
    private final Logger filterLogger = Logger.getLogger("io.github.stytchmigration");
    private final Level previousLevel = filterLogger.getLevel();
    private final List<Line> lines = new ArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            String thrown = "";
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                thrown = trace.toString();
            }
            Line line = new Line(String.valueOf(record.getLoggerName()), record.getLevel(), formatter.formatMessage(record), thrown);
            synchronized (lines) {
                lines.add(line);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture() {
    }

    /** Starts capturing; {@link #close()} stops. */
    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.handler.setLevel(Level.ALL);
        capture.filterLogger.setLevel(Level.ALL);
        capture.root.addHandler(capture.handler);
        return capture;
    }

    public List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Every line captured so far, one {@code LEVEL logger: message} per record, stack traces included. */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (Line line : lines()) {
            text.append(line.text());
        }
        return text.toString();
    }

    /**
     * The logger through which the embedded PostgreSQL's own server log (its stderr) arrives: the database's
     * log, kept by the DBA, which quotes a violated key's values in its {@code DETAIL} lines whatever the app does.
     */
    public static final String DATABASE_SERVER_LOGGER = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    /** Asserts that none of {@code secrets} appears in the captured text, nor anything shaped like a JWT. */
    public void assertNoSecretLogged(Collection<String> secrets) {
        assertNoSecretIn(text(), secrets);
    }

    /**
     * {@link #assertNoSecretLogged} over every line but the database server's own ({@link #DATABASE_SERVER_LOGGER}),
     * for a test that makes PostgreSQL refuse a row: the server logs that row's key, which is not the app's doing.
     */
    public void assertNoSecretLoggedOutsideTheDatabaseServer(Collection<String> secrets) {
        StringBuilder text = new StringBuilder();
        for (Line line : lines()) {
            if (!line.logger().equals(DATABASE_SERVER_LOGGER)) {
                text.append(line.text());
            }
        }
        assertNoSecretIn(text.toString(), secrets);
    }

    private static void assertNoSecretIn(String logged, Collection<String> secrets) {
        for (String secret : secrets) {
            assertThat(logged).as("no token, session token, JWT, Stytch secret or JDBC password is logged")
                    .doesNotContain(secret);
        }
        assertThat(logged).as("nothing shaped like a JWT is logged").doesNotContainPattern("eyJ[A-Za-z0-9_-]{10,}\\.");
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        filterLogger.setLevel(previousLevel);
    }
}
