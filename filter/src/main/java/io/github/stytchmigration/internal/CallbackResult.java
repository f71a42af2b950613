package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationResult;

import java.util.Objects;

/** What the callback logic decided: a success to apply, or a failure to answer. One responder writes it. */
public final class CallbackResult {
    private final MigrationResult result;
    private final StytchLogin login;
    private final ErrorCode error;
    private final long retryAfterSeconds;
    private final String incidentId;

    private CallbackResult(MigrationResult result, StytchLogin login, ErrorCode error, long retryAfterSeconds,
                           String incidentId) {
        this.result = result;
        this.login = login;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
        this.incidentId = incidentId;
    }

    public static CallbackResult success(MigrationResult result, StytchLogin login) {
        return new CallbackResult(Objects.requireNonNull(result), Objects.requireNonNull(login), null, -1, null);
    }

    /** @param retryAfterSeconds -1 for none */
    public static CallbackResult failure(ErrorCode error, long retryAfterSeconds, String incidentId) {
        return new CallbackResult(null, null, Objects.requireNonNull(error), retryAfterSeconds, incidentId);
    }

    public boolean isSuccess() {
        return error == null;
    }

    public MigrationResult result() {
        return result;
    }

    /** The Stytch session to keep server-side; null on failure. */
    public StytchLogin login() {
        return login;
    }

    public ErrorCode error() {
        return error;
    }

    /** Seconds for {@code Retry-After}, or -1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Set for internal errors: the id logged beside the stack trace and shown to the user. */
    public String incidentId() {
        return incidentId;
    }

    @Override
    public String toString() {
        return isSuccess() ? "CallbackResult[" + result + "]" : "CallbackResult[" + error.code() + "]";
    }
}
