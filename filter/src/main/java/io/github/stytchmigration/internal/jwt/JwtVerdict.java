package io.github.stytchmigration.internal.jwt;

import java.util.Objects;

/**
 * The verifier's answer for one session JWT at one moment. {@link Kind#VALID} and {@link Kind#STALE}
 * carry the verified claims; the reason of the others describes the shape, never the value, so that
 * it may go to a DEBUG log.
 */
public final class JwtVerdict {
    /** What the JWT is worth now. */
    public enum Kind {
        /** Signed by the project's key, for this project, within its time limits: trust it. */
        VALID,
        /**
         * Genuine (signature, issuer, audience) but expired, older than {@code sessionJwtMaxAgeSeconds} or
         * past its session's end: only Stytch can say whether its session is still alive.
         */
        STALE,
        /** Anything else: forged, malformed, another project's, oversized, not yet valid. Trust nothing in it. */
        INVALID,
        /**
         * Signed with a {@code kid} the cached keys lack, while they cannot be fetched again yet (the refetch
         * rate limit, a failed fetch): perhaps a key Stytch just started to use, perhaps a forgery. Trust
         * nothing in it, but do not treat its holder as a forger either.
         */
        UNVERIFIABLE,
        /** The project's keys could not be fetched and none are cached: nothing can be verified now. */
        KEYS_UNAVAILABLE
    }

    private final Kind kind;
    private final VerifiedJwt jwt;
    private final String reason;

    private JwtVerdict(Kind kind, VerifiedJwt jwt, String reason) {
        this.kind = kind;
        this.jwt = jwt;
        this.reason = reason;
    }

    static JwtVerdict valid(VerifiedJwt jwt) {
        return new JwtVerdict(Kind.VALID, Objects.requireNonNull(jwt), "valid");
    }

    static JwtVerdict stale(VerifiedJwt jwt, String reason) {
        return new JwtVerdict(Kind.STALE, Objects.requireNonNull(jwt), reason);
    }

    static JwtVerdict invalid(String reason) {
        return new JwtVerdict(Kind.INVALID, null, reason);
    }

    static JwtVerdict unverifiable() {
        return new JwtVerdict(Kind.UNVERIFIABLE, null, "kid unknown, and the JWKS cannot be refetched yet");
    }

    static JwtVerdict keysUnavailable() {
        return new JwtVerdict(Kind.KEYS_UNAVAILABLE, null, "the project's keys could not be fetched");
    }

    public Kind kind() {
        return kind;
    }

    /** The verified claims of a VALID or STALE JWT; null otherwise. */
    public VerifiedJwt jwt() {
        return jwt;
    }

    /** Why, for a DEBUG log: the shape of the problem, never a value. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "JwtVerdict[" + kind + ": " + reason + "]";
    }
}
