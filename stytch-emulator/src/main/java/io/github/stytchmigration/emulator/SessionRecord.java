package io.github.stytchmigration.emulator;

import java.time.Instant;

/**
 * What the emulator knows about one session, revoked ones included.
 *
 * @param sessionId  the session id
 * @param userId     the Stytch user id
 * @param startedAt  when it started
 * @param expiresAt  when it expires (or expired)
 * @param revokedAt  when it was revoked, or null
 * @param revokedVia {@link #VIA_API} ({@code POST /v1/sessions/revoke}) or {@link #VIA_EMULATOR}
 *                   (the emulator-only control), or null when not revoked
 */
public record SessionRecord(String sessionId, String userId, Instant startedAt, Instant expiresAt,
                            Instant revokedAt, String revokedVia) {

    /** {@code revokedVia} of a revocation through {@code POST /v1/sessions/revoke}. */
    public static final String VIA_API = "api";
    /** {@code revokedVia} of a revocation through {@code POST /emulator/sessions/{id}/revoke}. */
    public static final String VIA_EMULATOR = "emulator";

    /** True when the session was revoked. */
    public boolean revoked() {
        return revokedAt != null;
    }
}
