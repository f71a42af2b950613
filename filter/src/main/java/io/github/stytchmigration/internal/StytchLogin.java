package io.github.stytchmigration.internal;

import java.util.Objects;

/**
 * A successful Stytch authentication: the identity plus the Stytch session it created. The session
 * token and JWT are secrets: they stay server-side and {@link #toString()} never shows them.
 */
public final class StytchLogin {
    private final StytchIdentity identity;
    private final String sessionToken;
    private final String sessionJwt;
    private final boolean resetSessions;

    public StytchLogin(StytchIdentity identity, String sessionToken, String sessionJwt, boolean resetSessions) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.sessionToken = sessionToken == null ? "" : sessionToken;
        this.sessionJwt = sessionJwt == null ? "" : sessionJwt;
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

    public boolean resetSessions() {
        return resetSessions;
    }

    @Override
    public String toString() {
        return "StytchLogin[" + identity + ", session=" + (sessionToken.isEmpty() ? "none" : "present")
                + ", resetSessions=" + resetSessions + "]";
    }
}
