package io.github.stytchmigration;

/**
 * The failure codes of the callback, each with its HTTP status. The {@link #code()} string is what
 * the response body names and what {@code failureUrl?error=} carries.
 */
public enum ErrorCode {
    /** Token missing, blank, repeated or oversized; type missing or not allowed; wrong method. */
    INVALID_REQUEST("invalid_request", 400),
    /** Stytch rejected the token: used, expired, unknown, PKCE mismatch. */
    INVALID_TOKEN("invalid_token", 401),
    /** The matching row is linked to another Stytch user, several rows match, or only an unverified identifier matches. */
    ACCOUNT_CONFLICT("account_conflict", 409),
    /** The matching row does not satisfy {@code activeUserCondition}: the account is disabled in the app. */
    ACCOUNT_DISABLED("account_disabled", 403),
    /** Stytch answered 429. */
    RATE_LIMITED("rate_limited", 429),
    /** Stytch answered 5xx, timed out, was unreachable or answered something unreadable. */
    STYTCH_UNAVAILABLE("stytch_unavailable", 503),
    /** No database connection within the pool's timeout, the connection broke, or the database is read-only. */
    DATABASE_UNAVAILABLE("database_unavailable", 503),
    /** Anything else; logged with an incident id that the response shows. */
    INTERNAL_ERROR("internal_error", 500);

    private final String code;
    private final int status;

    ErrorCode(String code, int status) {
        this.code = code;
        this.status = status;
    }

    /** The wire name, e.g. {@code invalid_token}. */
    public String code() {
        return code;
    }

    /** The HTTP status answered when no {@code failureUrl} is configured. */
    public int status() {
        return status;
    }
}
