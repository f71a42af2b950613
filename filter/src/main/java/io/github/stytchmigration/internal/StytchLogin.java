package io.github.stytchmigration.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * A successful Stytch authentication: the identity plus the Stytch session it created. The session
 * token and JWT are secrets: they stay server-side and {@link #toString()} never shows them.
 */
public final class StytchLogin {
    private final StytchIdentity identity;
    private final String sessionToken;
    private final String sessionJwt;
    private final Instant sessionExpiresAt;
    private final boolean resetSessions;

    public StytchLogin(StytchIdentity identity, String sessionToken, String sessionJwt, Instant sessionExpiresAt,
                       boolean resetSessions) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.sessionToken = sessionToken == null ? "" : sessionToken;
        this.sessionJwt = sessionJwt == null ? "" : sessionJwt;
        this.sessionExpiresAt = sessionExpiresAt;
        this.resetSessions = resetSessions;
    }

    public StytchIdentity identity() {
        return identity;
    }

    /** The opaque Stytch session token; "" when Stytch created no session. Never log it. */
    public String sessionToken() {
        return sessionToken;
    }

    /** The Stytch session JWT; "" when Stytch created no session. Never log it. */
    public String sessionJwt() {
        return sessionJwt;
    }

    /** When the Stytch session expires; null when unknown. */
    public Instant sessionExpiresAt() {
        return sessionExpiresAt;
    }

    public boolean resetSessions() {
        return resetSessions;
    }

    @Override
    public String toString() {
        return "StytchLogin[" + identity + ", session=" + (sessionToken.isEmpty() ? "none" : "present")
                + ", resetSessions=" + resetSessions + "]";
    }
}
