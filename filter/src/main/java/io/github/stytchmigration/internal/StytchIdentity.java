package io.github.stytchmigration.internal;

import java.util.List;
import java.util.Objects;

/**
 * Who Stytch says authenticated: the Stytch user id and the user's emails and phone numbers, each
 * with its verified flag. Free of the SDK and of servlets, so the link-or-create rules can be
 * tested on their own. Emails are kept as Stytch sent them; matching lower-cases them.
 */
public final class StytchIdentity {
    private final String stytchUserId;
    private final List<Identifier> emails;
    private final List<Identifier> phoneNumbers;
    private final String firstName;
    private final String lastName;
    private final String externalId;

    public StytchIdentity(String stytchUserId, List<Identifier> emails, List<Identifier> phoneNumbers,
                          String firstName, String lastName) {
        this(stytchUserId, emails, phoneNumbers, firstName, lastName, null);
    }

    /** @param externalId the Stytch user's {@code external_id}, or null when it has none */
    public StytchIdentity(String stytchUserId, List<Identifier> emails, List<Identifier> phoneNumbers,
                          String firstName, String lastName, String externalId) {
        this.stytchUserId = requireText(stytchUserId, "stytchUserId");
        this.emails = List.copyOf(emails);
        this.phoneNumbers = List.copyOf(phoneNumbers);
        this.firstName = firstName;
        this.lastName = lastName;
        this.externalId = externalId == null || externalId.isEmpty() ? null : externalId;
    }

    /** The Stytch user's {@code external_id} (e.g. the internal id it was imported or written with), or null. */
    public String externalId() {
        return externalId;
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    public String stytchUserId() {
        return stytchUserId;
    }

    /** Every email of the Stytch user, verified or not. */
    public List<Identifier> emails() {
        return emails;
    }

    /** Every phone number (E.164) of the Stytch user, verified or not. */
    public List<Identifier> phoneNumbers() {
        return phoneNumbers;
    }

    /** May be null. */
    public String firstName() {
        return firstName;
    }

    /** May be null. */
    public String lastName() {
        return lastName;
    }

    /** The first verified email, or null: what a CREATED row receives. */
    public String primaryEmail() {
        return emails.stream().filter(Identifier::verified).map(Identifier::value).findFirst().orElse(null);
    }

    /** The first verified phone number, or null. */
    public String primaryPhoneNumber() {
        return phoneNumbers.stream().filter(Identifier::verified).map(Identifier::value).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        // ids only: emails and phone numbers are personal data and stay out of logs
        return "StytchIdentity[stytchUserId=" + stytchUserId + ", emails=" + emails.size()
                + ", phoneNumbers=" + phoneNumbers.size() + (externalId == null ? "" : ", externalId=" + externalId) + "]";
    }

    /** An email address or phone number and whether Stytch has verified it. */
    public static final class Identifier {
        private final String value;
        private final boolean verified;

        public Identifier(String value, boolean verified) {
            this.value = requireText(value, "value");
            this.verified = verified;
        }

        public static Identifier verified(String value) {
            return new Identifier(value, true);
        }

        public static Identifier unverified(String value) {
            return new Identifier(value, false);
        }

        public String value() {
            return value;
        }

        public boolean verified() {
            return verified;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Identifier && ((Identifier) o).value.equals(value) && ((Identifier) o).verified == verified;
        }

        @Override
        public int hashCode() {
            return Objects.hash(value, verified);
        }

        @Override
        public String toString() {
            return (verified ? "verified:" : "unverified:") + Masking.maskIdentifier(value);
        }
    }
}
