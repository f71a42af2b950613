package io.github.stytchmigration;

import java.util.Objects;

/**
 * A login through {@link MigrationLogin} failed; nothing was written. Carries the same {@link ErrorCode}
 * a callback would answer with, and the {@code Retry-After} to send when it is worth retrying. The message
 * names the code only: never the session token or JWT.
 */
public class MigrationLoginException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;
    private final long retryAfterSeconds;
    private final String incidentId;

    /**
     * @param retryAfterSeconds -1 when retrying cannot help
     * @param incidentId        the id logged with an internal error, else null
     */
    public MigrationLoginException(ErrorCode errorCode, long retryAfterSeconds, String incidentId) {
        super("Stytch migration login failed: " + Objects.requireNonNull(errorCode, "errorCode").code()
                + (incidentId == null ? "" : " (incident " + incidentId + ")"));
        this.errorCode = errorCode;
        this.retryAfterSeconds = retryAfterSeconds;
        this.incidentId = incidentId;
    }

    /** What went wrong; {@link ErrorCode#status()} is the status a callback would answer. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** Seconds for a {@code Retry-After} header (Stytch or the database unavailable, rate limited), or -1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Set for {@link ErrorCode#INTERNAL_ERROR}: the id logged beside the stack trace; else null. */
    public String incidentId() {
        return incidentId;
    }
}
