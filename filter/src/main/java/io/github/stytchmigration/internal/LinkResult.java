package io.github.stytchmigration.internal;

import io.github.stytchmigration.MigrationOutcome;

import java.util.Objects;

/** What link-or-create did: the outcome and the internal id; for a relink, the Stytch id it replaced. */
public final class LinkResult {
    private final MigrationOutcome outcome;
    private final String userId;
    private final String replacedStytchUserId;
    private final boolean secondFactorRequired;

    public LinkResult(MigrationOutcome outcome, String userId, String replacedStytchUserId) {
        this(outcome, userId, replacedStytchUserId, false);
    }

    private LinkResult(MigrationOutcome outcome, String userId, String replacedStytchUserId, boolean secondFactorRequired) {
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.userId = Objects.requireNonNull(userId, "userId");
        this.replacedStytchUserId = replacedStytchUserId;
        this.secondFactorRequired = secondFactorRequired;
    }

    /** This result, for a row whose login needs a second factor when {@code required}. */
    public LinkResult needingSecondFactor(boolean required) {
        return required == secondFactorRequired ? this : new LinkResult(outcome, userId, replacedStytchUserId, required);
    }

    /** Whether the row satisfies {@code secondFactorCondition}: the login is pending until the app checks it. */
    public boolean secondFactorRequired() {
        return secondFactorRequired;
    }

    public static LinkResult of(MigrationOutcome outcome, String userId) {
        return new LinkResult(outcome, userId, null);
    }

    public MigrationOutcome outcome() {
        return outcome;
    }

    /** The internal primary key as a String. */
    public String userId() {
        return userId;
    }

    /** Under {@code conflictPolicy=relink}, the Stytch user id that was replaced; else null. */
    public String replacedStytchUserId() {
        return replacedStytchUserId;
    }

    @Override
    public String toString() {
        return "LinkResult[" + outcome + ", userId=" + userId
                + (replacedStytchUserId == null ? "" : ", replaced=" + replacedStytchUserId)
                + (secondFactorRequired ? ", second factor required" : "") + "]";
    }
}
