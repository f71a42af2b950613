package io.github.stytchmigration.emulator;

import java.util.Objects;

/**
 * A fault the emulator applies to the next {@code times} requests whose path equals {@code path}
 * exactly (for example {@code /v1/magic_links/authenticate}), before normal handling and before
 * the credentials are checked. Effects apply in order: first the delay, then a connection reset,
 * a malformed body, or an error status; a fault with only a delay then answers normally.
 *
 * @param path            the exact request path the fault applies to
 * @param status          the HTTP status of the error answer, or 0 for none
 * @param errorType       the Stytch {@code error_type} of the error answer; when null it follows the
 *                        status ({@code too_many_requests} for 429, {@code internal_server_error} for 5xx)
 * @param delayMillis     how long to wait before answering, 0 for no delay
 * @param times           how many requests the fault applies to, at least 1
 * @param malformed       answer 200 with a body that is not JSON
 * @param connectionReset close the connection without any answer
 */
public record Fault(String path, int status, String errorType, long delayMillis, int times,
                    boolean malformed, boolean connectionReset) {

    /** Validates the fault. */
    public Fault {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path [" + path + "] must start with '/'");
        }
        if (status != 0 && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status [" + status + "] must be 0 or 100..599");
        }
        if (delayMillis < 0) {
            throw new IllegalArgumentException("delayMillis [" + delayMillis + "] must not be negative");
        }
        if (times < 1) {
            throw new IllegalArgumentException("times [" + times + "] must be at least 1");
        }
    }

    /** An error answer with the given status and error type (null: derived from the status), once. */
    public static Fault status(String path, int status, String errorType) {
        return new Fault(path, status, errorType, 0, 1, false, false);
    }

    /** A delay before the normal answer, once. */
    public static Fault delay(String path, long delayMillis) {
        return new Fault(path, 0, null, delayMillis, 1, false, false);
    }

    /** A 200 answer whose body is not JSON, once. */
    public static Fault malformed(String path) {
        return new Fault(path, 0, null, 0, 1, true, false);
    }

    /**
     * The connection is closed without an answer, once. Note that OkHttp (inside the Stytch SDK)
     * may silently retry a request after a connection failure; use {@code times(2)} or more to make
     * sure the SDK sees the failure.
     */
    public static Fault connectionReset(String path) {
        return new Fault(path, 0, null, 0, 1, false, true);
    }

    /** The same fault, applied to the next {@code n} matching requests. */
    public Fault times(int n) {
        return new Fault(path, status, errorType, delayMillis, n, malformed, connectionReset);
    }

    /** The error type sent with {@link #status()}: the given one, or one derived from the status. */
    public String effectiveErrorType() {
        if (errorType != null && !errorType.isEmpty()) {
            return errorType;
        }
        if (status == 429) {
            return "too_many_requests";
        }
        if (status >= 500) {
            return "internal_server_error";
        }
        if (status == 401) {
            return "unauthorized_credentials";
        }
        if (status == 404) {
            return "not_found";
        }
        return "bad_request";
    }
}
