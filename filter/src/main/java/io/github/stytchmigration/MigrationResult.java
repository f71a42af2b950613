package io.github.stytchmigration;

import java.util.Objects;

/**
 * The typed result of a successful callback, set as request attribute {@link #REQUEST_ATTRIBUTE}
 * beside the String attributes of the contract. Holds ids only: no token, no email.
 */
public final class MigrationResult {
    /** Request attribute holding this object. */
    public static final String REQUEST_ATTRIBUTE = "stytchMigration.result";

    private final MigrationOutcome outcome;
    private final String userId;
    private final String stytchUserId;
    private final boolean resetSessions;
    private final boolean secondFactorRequired;

    public MigrationResult(MigrationOutcome outcome, String userId, String stytchUserId, boolean resetSessions) {
        this(outcome, userId, stytchUserId, resetSessions, false);
    }

    /**
     * @param secondFactorRequired the row satisfies {@code secondFactorCondition}: the login is pending
     *                             until the app has checked the second factor
     */
    public MigrationResult(MigrationOutcome outcome, String userId, String stytchUserId, boolean resetSessions,
                           boolean secondFactorRequired) {
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.userId = Objects.requireNonNull(userId, "userId");
        this.stytchUserId = Objects.requireNonNull(stytchUserId, "stytchUserId");
        this.resetSessions = resetSessions;
        this.secondFactorRequired = secondFactorRequired;
    }

    /**
     * True when the row satisfies {@code secondFactorCondition}: the internal id is not under
     * {@code sessionUserIdAttribute} yet but pending ({@link MigrationFilter#SESSION_PENDING_USER_ID}),
     * and the browser was sent to {@code secondFactorUrl}.
     */
    public boolean secondFactorRequired() {
        return secondFactorRequired;
    }

    /** CREATED, LINKED or ALREADY_LINKED. */
    public MigrationOutcome outcome() {
        return outcome;
    }

    /** The internal user id (the app's primary key), as a String. */
    public String userId() {
        return userId;
    }

    /** The Stytch user id now stored on that row. */
    public String stytchUserId() {
        return stytchUserId;
    }

    /**
     * Stytch's {@code reset_sessions}: true when the user's other sessions should end (e.g. a
     * password reset). Apps that keep their own sessions should honour it.
     */
    public boolean resetSessions() {
        return resetSessions;
    }

    @Override
    public String toString() {
        return "MigrationResult[outcome=" + outcome + ", userId=" + userId + ", stytchUserId=" + stytchUserId
                + ", resetSessions=" + resetSessions + (secondFactorRequired ? ", secondFactorRequired" : "") + "]";
    }
}
