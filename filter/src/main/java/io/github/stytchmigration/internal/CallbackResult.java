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

    private static final CallbackResult CONFIRM = new CallbackResult(Kind.CONFIRM, null, null, false, null, -1, null, false, false);

    private final Kind kind;
    private final MigrationResult result;
    private final StytchLogin login;
    private final boolean replacesSession;
    private final ErrorCode error;
    private final long retryAfterSeconds;
    private final String incidentId;
    private final boolean tokenSpent;
    private final boolean otherBrowser;

    private CallbackResult(Kind kind, MigrationResult result, StytchLogin login, boolean replacesSession, ErrorCode error,
                           long retryAfterSeconds, String incidentId, boolean tokenSpent, boolean otherBrowser) {
        this.kind = kind;
        this.result = result;
        this.login = login;
        this.replacesSession = replacesSession;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
        this.incidentId = incidentId;
        this.tokenSpent = tokenSpent;
        this.otherBrowser = otherBrowser;
    }

    /**
     * @param replacesSession the HttpSession was logged in as another internal user: it must be
     *                        invalidated and a new one started, so nothing of that user carries over
     */
    public static CallbackResult success(MigrationResult result, StytchLogin login, boolean replacesSession) {
        return new CallbackResult(Kind.SUCCESS, Objects.requireNonNull(result), Objects.requireNonNull(login),
                replacesSession, null, -1, null, false, false);
    }

    /**
     * @param retryAfterSeconds -1 for none
     * @param tokenSpent        the one-time token was (or may have been) spent: the user needs a new link
     */
    public static CallbackResult failure(ErrorCode error, long retryAfterSeconds, String incidentId, boolean tokenSpent) {
        return new CallbackResult(Kind.FAILURE, null, null, false, Objects.requireNonNull(error), retryAfterSeconds,
                incidentId, tokenSpent, false);
    }

    /**
     * This FAILURE, marked as a link refused for its PKCE verifier (Stytch's {@code pkce_*} error types): it
     * was asked for in another browser, or this browser's session that held the verifier ended. Stytch checks
     * a link's use and expiry first, so such a link was not spent: it can still work where it was asked for.
     */
    public CallbackResult openedInAnotherBrowser() {
        return new CallbackResult(kind, result, login, replacesSession, error, retryAfterSeconds, incidentId, false, true);
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

    /** Whether a SUCCESS must start a new HttpSession: the current one belongs to another user. */
    public boolean replacesSession() {
        return replacesSession;
    }

    /** Whether a FAILURE happened after the one-time token was (or may have been) spent. */
    public boolean tokenSpent() {
        return tokenSpent;
    }

    /** Whether a FAILURE was a link refused for its PKCE verifier: see {@link #openedInAnotherBrowser()}. */
    public boolean otherBrowser() {
        return otherBrowser;
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
