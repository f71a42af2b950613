package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;

/**
 * Base of every failure the callback turns into an {@link ErrorCode}. Subclasses are named for the
 * failure. Messages carry the task and ids, never a token, a secret or a bound SQL value.
 */
public abstract class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected MigrationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The code and status this failure answers with. */
    public abstract ErrorCode errorCode();

    /** Seconds for {@code Retry-After}, or -1 when the failure is not worth retrying. */
    public long retryAfterSeconds() {
        return -1;
    }

    /** Stytch rejected the token (used, expired, unknown, PKCE mismatch): 401 {@code invalid_token}. */
    public static final class InvalidTokenException extends MigrationException {
        private static final long serialVersionUID = 1L;
        private final String stytchErrorType;

        public InvalidTokenException(String stytchErrorType, String message) {
            super(message, null);
            this.stytchErrorType = stytchErrorType;
        }

        /** Stytch's {@code error_type}, e.g. {@code unable_to_auth_magic_link}. */
        public String stytchErrorType() {
            return stytchErrorType;
        }

        @Override
        public ErrorCode errorCode() {
            return ErrorCode.INVALID_TOKEN;
        }
    }

    /** Stytch answered 429: 429 {@code rate_limited} with {@code Retry-After}. */
    public static final class RateLimitedException extends MigrationException {
        private static final long serialVersionUID = 1L;
        private final long retryAfterSeconds;

        public RateLimitedException(String message, long retryAfterSeconds) {
            super(message, null);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public ErrorCode errorCode() {
            return ErrorCode.RATE_LIMITED;
        }

        @Override
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** Stytch failed: 5xx, timeout, network error, unreadable answer. 503 {@code stytch_unavailable}. */
    public static final class StytchUnavailableException extends MigrationException {
        private static final long serialVersionUID = 1L;
        private final long retryAfterSeconds;
        private final boolean mayHaveSpentToken;

        /** Stytch answered that it failed, or was never reached: the token is still unspent. */
        public StytchUnavailableException(String message, Throwable cause, long retryAfterSeconds) {
            this(message, cause, retryAfterSeconds, false);
        }

        /**
         * @param mayHaveSpentToken true when the request may have reached Stytch and been processed (a
         *                          timeout, a broken connection, an unreadable answer): the one-time
         *                          token cannot be trusted to work again
         */
        public StytchUnavailableException(String message, Throwable cause, long retryAfterSeconds, boolean mayHaveSpentToken) {
            super(message, cause);
            this.retryAfterSeconds = retryAfterSeconds;
            this.mayHaveSpentToken = mayHaveSpentToken;
        }

        /** Whether the one-time token may have been spent: the user needs a new link, not a retry. */
        public boolean mayHaveSpentToken() {
            return mayHaveSpentToken;
        }

        @Override
        public ErrorCode errorCode() {
            return ErrorCode.STYTCH_UNAVAILABLE;
        }

        @Override
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * No connection within the pool timeout, the connection broke, the database is read-only (a standby),
     * or the schema could not be checked yet: 503 {@code database_unavailable}.
     */
    public static final class DatabaseUnavailableException extends MigrationException {
        private static final long serialVersionUID = 1L;
        private final long retryAfterSeconds;

        public DatabaseUnavailableException(String message, Throwable cause, long retryAfterSeconds) {
            super(message, cause);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public ErrorCode errorCode() {
            return ErrorCode.DATABASE_UNAVAILABLE;
        }

        @Override
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** Link-or-create refused to touch an account: 409 {@code account_conflict}. */
    public static final class AccountConflictException extends MigrationException {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        public AccountConflictException(Reason reason, String message) {
            super(message, null);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }

        @Override
        public ErrorCode errorCode() {
            return ErrorCode.ACCOUNT_CONFLICT;
        }

        /** Why the link was refused. */
        public enum Reason {
            /** The one matching row is linked to a different Stytch user and the policy is reject. */
            LINKED_TO_OTHER_USER,
            /** Several distinct rows match the verified identifiers. */
            AMBIGUOUS,
            /** Only an unverified email or phone of the Stytch user matches a row. */
            UNVERIFIED_MATCH
        }
    }

    /**
     * The row a login would use (already linked, or matched for linking) does not satisfy
     * {@code activeUserCondition}: 403 {@code account_disabled}, nothing written.
     */
    public static final class AccountDisabledException extends MigrationException {
        private static final long serialVersionUID = 1L;

        public AccountDisabledException(String message) {
            super(message, null);
        }

        @Override
        public ErrorCode errorCode() {
            return ErrorCode.ACCOUNT_DISABLED;
        }
    }

    /** A database failure that is neither an outage nor a conflict, e.g. a broken {@code createUserSql}: 500. */
    public static final class DatabaseException extends MigrationException {
        private static final long serialVersionUID = 1L;

        public DatabaseException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public ErrorCode errorCode() {
            return ErrorCode.INTERNAL_ERROR;
        }
    }
}
