package io.github.stytchmigration.emulator.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The emulator's stored objects. Mutable; only touched while holding the {@link State} lock. The
 * private no-argument constructors are for {@link Store}, which sets the fields from the saved state.
 */
final class Model {

    private Model() {
    }

    static final class User {
        final String userId;
        final Instant createdAt;
        String status;
        final List<Email> emails = new ArrayList<>();
        final List<Phone> phones = new ArrayList<>();
        final List<Provider> providers = new ArrayList<>();
        final List<Totp> totps = new ArrayList<>();
        String firstName;
        String middleName;
        String lastName;
        Map<String, Object> trustedMetadata = new LinkedHashMap<>();
        Map<String, Object> untrustedMetadata = new LinkedHashMap<>();
        String externalId;

        User(String userId, Instant createdAt, String status) {
            this.userId = userId;
            this.createdAt = createdAt;
            this.status = status;
        }

        private User() {
            this(null, null, null);
        }

        Email email(String address) {
            for (Email e : emails) {
                if (e.email.equalsIgnoreCase(address)) {
                    return e;
                }
            }
            return null;
        }

        Phone phone(String number) {
            for (Phone p : phones) {
                if (p.phoneNumber.equals(number)) {
                    return p;
                }
            }
            return null;
        }

        Email emailById(String emailId) {
            for (Email e : emails) {
                if (e.emailId.equals(emailId)) {
                    return e;
                }
            }
            return null;
        }
    }

    static final class Email {
        final String emailId;
        final String email;
        boolean verified;

        Email(String emailId, String email, boolean verified) {
            this.emailId = emailId;
            this.email = email.toLowerCase(Locale.ROOT);
            this.verified = verified;
        }

        private Email() {
            this.emailId = null;
            this.email = null;
        }
    }

    static final class Phone {
        final String phoneId;
        final String phoneNumber;
        boolean verified;

        Phone(String phoneId, String phoneNumber, boolean verified) {
            this.phoneId = phoneId;
            this.phoneNumber = phoneNumber;
            this.verified = verified;
        }

        private Phone() {
            this(null, null, false);
        }
    }

    /** An OAuth registration, e.g. Google, of a user. */
    record Provider(String provider, String providerType, String providerSubject, String registrationId) {
    }

    static final class Totp {
        final String totpId;
        final byte[] secret;
        final String secretBase32;
        final List<String> recoveryCodes;
        final Instant expiresAt;
        boolean verified;

        Totp(String totpId, byte[] secret, String secretBase32, List<String> recoveryCodes, Instant expiresAt) {
            this.totpId = totpId;
            this.secret = secret.clone();
            this.secretBase32 = secretBase32;
            this.recoveryCodes = List.copyOf(recoveryCodes);
            this.expiresAt = expiresAt;
        }

        private Totp() {
            this.totpId = null;
            this.secret = null;
            this.secretBase32 = null;
            this.recoveryCodes = List.of();
            this.expiresAt = null;
        }
    }

    /** One authentication factor of a session; {@code detailKey} is e.g. {@code email_factor}. */
    record Factor(String type, String deliveryMethod, Instant lastAuthenticatedAt,
                  String detailKey, Map<String, Object> detail) {
    }

    static final class Session {
        final String sessionId;
        final String userId;
        final String token;
        final Instant startedAt;
        Instant lastAccessedAt;
        Instant expiresAt;
        final List<Factor> factors = new ArrayList<>();
        final Map<String, Object> customClaims = new LinkedHashMap<>();
        /** Revoked sessions stay, so a test can ask when and how; they never authenticate again. */
        Instant revokedAt;
        String revokedVia;

        Session(String sessionId, String userId, String token, Instant startedAt, Instant expiresAt) {
            this.sessionId = sessionId;
            this.userId = userId;
            this.token = token;
            this.startedAt = startedAt;
            this.lastAccessedAt = startedAt;
            this.expiresAt = expiresAt;
        }

        private Session() {
            this(null, null, null, null, null);
        }

        /** Not revoked and not expired at {@code now}. */
        boolean liveAt(Instant now) {
            return revokedAt == null && expiresAt.isAfter(now);
        }
    }

    /** A magic-link token; {@code emailId} is null for an embeddable link. */
    static final class MagicToken {
        final String token;
        final String userId;
        final String emailId;
        final Instant expiresAt;
        final String codeChallenge;
        boolean used;

        MagicToken(String token, String userId, String emailId, Instant expiresAt, String codeChallenge) {
            this.token = token;
            this.userId = userId;
            this.emailId = emailId;
            this.expiresAt = expiresAt;
            this.codeChallenge = codeChallenge;
        }

        private MagicToken() {
            this(null, null, null, null, null);
        }
    }

    static final class OAuthToken {
        final String token;
        final String userId;
        final Provider provider;
        final String emailId;
        final Instant expiresAt;
        final String codeChallenge;
        boolean used;

        OAuthToken(String token, String userId, Provider provider, String emailId, Instant expiresAt,
                   String codeChallenge) {
            this.token = token;
            this.userId = userId;
            this.provider = provider;
            this.emailId = emailId;
            this.expiresAt = expiresAt;
            this.codeChallenge = codeChallenge;
        }

        private OAuthToken() {
            this(null, null, null, null, null, null);
        }
    }

    /** A one-time passcode sent to an email ({@code methodId} = email_id) or phone (phone_id). */
    static final class Otp {
        final String methodId;
        final String userId;
        final String code;
        final Instant expiresAt;
        final boolean email;
        boolean used;

        Otp(String methodId, String userId, String code, Instant expiresAt, boolean email) {
            this.methodId = methodId;
            this.userId = userId;
            this.code = code;
            this.expiresAt = expiresAt;
            this.email = email;
        }

        private Otp() {
            this(null, null, null, null, false);
        }
    }
}
