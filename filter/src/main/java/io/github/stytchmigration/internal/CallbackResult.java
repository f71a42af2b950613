package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationResult;

import java.util.Objects;

/**
 * What the callback logic decided: a login to apply, a failure to answer, or the confirmation page
 * to render. One responder writes it.
 */
public final class CallbackResult {
    /** The three answers a callback can get. */
    public enum Kind {
        /** Logged in: apply the session and pass on or redirect. */
        SUCCESS,
        /** Answer the failure page, or redirect to {@code failureUrl}. */
        FAILURE,
        /** {@code confirmPage=true} and a valid GET: render the page whose POST spends the token. */
        CONFIRM
    }

    private static final CallbackResult CONFIRM = new CallbackResult(Kind.CONFIRM, null, null, null, -1, null);

    private final Kind kind;
    private final MigrationResult result;
    private final StytchLogin login;
    private final ErrorCode error;
    private final long retryAfterSeconds;
    private final String incidentId;

    private CallbackResult(Kind kind, MigrationResult result, StytchLogin login, ErrorCode error, long retryAfterSeconds,
                           String incidentId) {
        this.kind = kind;
        this.result = result;
        this.login = login;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
        this.incidentId = incidentId;
    }

    public static CallbackResult success(MigrationResult result, StytchLogin login) {
        return new CallbackResult(Kind.SUCCESS, Objects.requireNonNull(result), Objects.requireNonNull(login), null, -1, null);
    }

    /** @param retryAfterSeconds -1 for none */
    public static CallbackResult failure(ErrorCode error, long retryAfterSeconds, String incidentId) {
        return new CallbackResult(Kind.FAILURE, null, null, Objects.requireNonNull(error), retryAfterSeconds, incidentId);
    }

    public static CallbackResult confirm() {
        return CONFIRM;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isSuccess() {
        return kind == Kind.SUCCESS;
    }

    /** The outcome of a SUCCESS; null otherwise. */
    public MigrationResult result() {
        return result;
    }

    /** The Stytch session to keep server-side; null unless SUCCESS. */
    public StytchLogin login() {
        return login;
    }

    /** The code of a FAILURE; null otherwise. */
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
        switch (kind) {
            case SUCCESS:
                return "CallbackResult[" + result + "]";
            case FAILURE:
                return "CallbackResult[" + error.code() + "]";
            default:
                return "CallbackResult[confirm]";
        }
    }
}
