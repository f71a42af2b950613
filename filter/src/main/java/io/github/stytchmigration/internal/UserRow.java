package io.github.stytchmigration.internal;

import java.util.Locale;

/**
 * A row of the app's users table as the link rules see it: its id and the columns they compare,
 * nothing else. Free of JDBC, so the rules can be tested without a database.
 */
public final class UserRow {
    private final Object id;
    private final String stytchUserId;
    private final String emailLower;
    private final String phone;
    private final boolean active;
    private final boolean secondFactor;

    /** An active row: see {@link #UserRow(Object, String, String, String, boolean)}. */
    public UserRow(Object id, String stytchUserId, String email, String phone) {
        this(id, stytchUserId, email, phone, true);
    }

    /**
     * @param id           the primary key as the driver returned it
     * @param stytchUserId the Stytch user id column, null when not linked
     * @param email        the email column, may be null
     * @param phone        the phone column, null when absent or phone matching is off
     * @param active       whether the row satisfies {@code activeUserCondition} (true when none is set;
     *                     false when the condition is NULL for it)
     */
    public UserRow(Object id, String stytchUserId, String email, String phone, boolean active) {
        this(id, stytchUserId, email, phone, active, false);
    }

    /**
     * @param secondFactor whether the row satisfies {@code secondFactorCondition}: its login needs a
     *                     second factor before it counts (false without a condition, or when it is NULL)
     */
    public UserRow(Object id, String stytchUserId, String email, String phone, boolean active, boolean secondFactor) {
        this.secondFactor = secondFactor;
        this.id = id;
        this.stytchUserId = stytchUserId;
        this.emailLower = email == null ? null : email.toLowerCase(Locale.ROOT);
        this.phone = phone;
        this.active = active;
    }

    /** The primary key, for binding it back into a statement. */
    public Object id() {
        return id;
    }

    /** The primary key as a String: what the app sees. */
    public String idString() {
        return String.valueOf(id);
    }

    /** Null when the row is not linked. */
    public String stytchUserId() {
        return stytchUserId;
    }

    /** Whether the row satisfies {@code activeUserCondition}; always true without one. */
    public boolean active() {
        return active;
    }

    /** Whether a login of this row needs a second factor ({@code secondFactorCondition}). */
    public boolean secondFactor() {
        return secondFactor;
    }

    String emailLower() {
        return emailLower;
    }

    String phone() {
        return phone;
    }

    @Override
    public String toString() {
        // ids only: emails and phones are personal data and stay out of logs
        return "UserRow[id=" + id + ", stytchUserId=" + stytchUserId + (active ? "" : ", inactive") + "]";
    }
}
