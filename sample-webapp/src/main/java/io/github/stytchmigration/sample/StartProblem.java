package io.github.stytchmigration.sample;

import java.net.BindException;
import java.nio.file.Path;

/**
 * Why the sample cannot start, in one line the user can act on (the launcher prints it without a
 * stack trace). {@link #explain} turns the failures of the parts we start into one.
 */
final class StartProblem extends RuntimeException {
    private static final int MAX_CAUSES = 10;

    StartProblem(String message) {
        super(message);
    }

    StartProblem(String message, Throwable cause) {
        super(message, cause);
    }

    static StartProblem anotherInstance(Path dataDir) {
        return new StartProblem("another sample is already running with data dir " + dataDir
                + " (stop it, or start this one with --data-dir OTHER_DIR)");
    }

    static StartProblem portInUse(String host, int port, Throwable cause) {
        return new StartProblem("port " + port + " is in use on " + host + "; start with --port N (or PORT=N)", cause);
    }

    /**
     * The user's one line for a failure to start: a {@code StartProblem} as it is; a bind failure
     * (a race past the port check) as the busy port; anything else with its own message and a hint.
     */
    static String explain(Throwable failure, SampleLauncher.Options options) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
            if (t instanceof StartProblem) {
                return t.getMessage();
            }
            if (t instanceof BindException) {
                return portInUse(options.host, options.port, t).getMessage();
            }
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName()
                : failure.getMessage().strip().replaceAll("\\s*\\R\\s*", " "); // one line, whatever the part wrote
        return "sample-webapp did not start: " + message + " (--verbose shows the details)";
    }
}
