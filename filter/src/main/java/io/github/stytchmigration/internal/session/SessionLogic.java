package io.github.stytchmigration.internal.session;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.internal.CallbackLogic;
import io.github.stytchmigration.internal.CallbackResult;
import io.github.stytchmigration.internal.Logins;
import io.github.stytchmigration.internal.MigrationException;
import io.github.stytchmigration.internal.MigrationException.InvalidTokenException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchLogin;
import io.github.stytchmigration.internal.StytchSessionApi;
import io.github.stytchmigration.internal.jwt.JwtVerdict;
import io.github.stytchmigration.internal.jwt.SessionJwtVerifier;
import io.github.stytchmigration.internal.jwt.VerifiedJwt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stytch sessions made elsewhere, free of servlets: the frontend SDK's cookies, a Bearer JWT, and the
 * app's own backend logins. Decides per request whether to pass on, log in (through the same
 * {@link Logins} as callbacks), end a login, or fail. Never throws.
 *
 * <p>Costs, by design: a request whose verified JWT belongs to the Stytch session this HttpSession is
 * already logged in with costs a cache lookup. A forged, malformed or foreign JWT costs a local check
 * and no call. Only a JWT too old to trust, with a session token beside it, costs one
 * {@code sessions.authenticate}; a login costs one {@code users.get} and the link-or-create.
 *
 * <p>While Stytch fails, calls stop for {@link MigrationException#retryAfterSeconds()} (a shared back-off)
 * and an HttpSession logged in from a session source stays logged in until {@code sessionJwtMaxAgeSeconds +
 * sessionOutageGraceSeconds} after Stytch last vouched for its session; a session Stytch reports revoked or
 * expired ends at once.
 */
public final class SessionLogic {
    /** {@code Retry-After} when the project's keys cannot be fetched. */
    static final long KEYS_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(SessionLogic.class);

    private final SessionJwtVerifier verifier;
    private final StytchSessionApi stytch;
    private final Logins logins;
    private final Clock clock;
    private final long maxAgeSeconds;
    private final long graceSeconds;
    // Stytch failed: no session call before this (System.nanoTime)
    private final AtomicLong backOffUntilNanos = new AtomicLong(System.nanoTime());

    public SessionLogic(MigrationConfig config, SessionJwtVerifier verifier, StytchSessionApi stytch, Logins logins,
                        Clock clock) {
        this.verifier = verifier;
        this.stytch = stytch;
        this.logins = logins;
        this.clock = clock;
        this.maxAgeSeconds = config.sessionJwtMaxAgeSeconds();
        this.graceSeconds = config.sessionOutageGraceSeconds();
    }

    /** Decides what a request carrying (or lacking) Stytch session credentials gets. */
    public SessionDecision handle(SessionRequest request) {
        HttpSessionLogin current = request.current();
        long now = clock.instant().getEpochSecond();
        if (!request.hasCredentials()) {
            return withoutCredentials(current, now);
        }
        JwtVerdict verdict = request.jwt() == null ? null : verifier.verify(request.jwt());
        if (verdict != null) {
            switch (verdict.kind()) {
                case VALID:
                    return valid(request, verdict.jwt());
                case INVALID:
                    LOG.debug("Ignored a session JWT from the {}: {}", request.source(), verdict.reason());
                    return invalid(request);
                case UNVERIFIABLE:
                    // perhaps a key Stytch just started to use: log nobody in, log nobody out, clear nothing
                    LOG.debug("Could not verify a session JWT from the {} yet: {}", request.source(), verdict.reason());
                    if (request.sessionToken() == null) {
                        return SessionDecision.pass();
                    }
                    return refresh(request, null, now);
                case KEYS_UNAVAILABLE:
                    if (request.sessionToken() == null) {
                        return unavailable(current, null, now, logins.fail(ErrorCode.STYTCH_UNAVAILABLE,
                                KEYS_UNAVAILABLE_RETRY_AFTER_SECONDS, null, false));
                    }
                    return refresh(request, null, now);
                default:
                    break;
            }
        }
        if (request.sessionToken() != null) {
            return refresh(request, verdict == null ? null : verdict.jwt(), now);
        }
        // a stale JWT and nothing else that could vouch for its session: no call, nobody logged in
        LOG.debug("Ignored a session JWT from the {}: {}", request.source(), verdict.reason());
        return SessionDecision.notLoggedIn(current.fromSessionSource(), false);
    }

    // The frontend SDK's logout clears its cookies: a login made from them ends with them. A Bearer login
    // cannot tell (a page load carries no header), so it lasts as long as the JWT that made it could.
    private SessionDecision withoutCredentials(HttpSessionLogin current, long now) {
        if (!current.fromSessionSource()) {
            return SessionDecision.pass();
        }
        boolean ended = HttpSessionLogin.SOURCE_COOKIE.equals(current.source())
                || now - current.confirmedAt() >= maxAgeSeconds;
        return SessionDecision.notLoggedIn(ended, false);
    }

    private SessionDecision valid(SessionRequest request, VerifiedJwt jwt) {
        HttpSessionLogin current = request.current();
        if (current.loggedInWith(jwt.sessionId())) {
            // steady state: no call, no SQL; remember a newer confirmation (about every 3 minutes)
            return SessionDecision.confirmed(jwt.issuedAt() > current.confirmedAt() ? jwt.issuedAt() : -1);
        }
        if (backingOff()) {
            return SessionDecision.fail(logins.fail(ErrorCode.STYTCH_UNAVAILABLE, backOffSeconds(), null, false), false);
        }
        if (!logins.enter()) {
            return SessionDecision.fail(logins.busy(), false);
        }
        try {
            StytchIdentity identity;
            long started = System.nanoTime();
            try {
                identity = stytch.user(jwt.stytchUserId());
            } catch (InvalidTokenException e) {
                LOG.debug("The Stytch user of a session JWT is gone: {}", e.getMessage());
                return invalid(request);
            } catch (MigrationException e) {
                backOff(e);
                return SessionDecision.fail(logins.failed(e, "get Stytch user " + jwt.stytchUserId(), false), false);
            } finally {
                logins.metrics().stytchCall(System.nanoTime() - started);
            }
            StytchLogin login = new StytchLogin(identity, null, request.jwt(), false, jwt.sessionId(),
                    jwt.sessionExpiresAt());
            return linked(request, login, jwt.issuedAt());
        } catch (RuntimeException e) {
            return SessionDecision.fail(logins.internalError(e, "login from a session " + request.source(), false), false);
        } finally {
            logins.exit();
        }
    }

    // One sessions.authenticate with the token cookie: alive → a fresh JWT (and a login when new); revoked → out.
    private SessionDecision refresh(SessionRequest request, VerifiedJwt stale, long now) {
        HttpSessionLogin current = request.current();
        if (!CallbackLogic.looksLikeToken(request.sessionToken())) {
            LOG.debug("Ignored a session token cookie: not shaped like a token");
            return invalid(request);
        }
        if (backingOff()) {
            return unavailable(current, stale, now, logins.fail(ErrorCode.STYTCH_UNAVAILABLE, backOffSeconds(), null, false));
        }
        if (!logins.enter()) {
            return unavailable(current, stale, now, logins.busy());
        }
        try {
            StytchLogin login;
            long started = System.nanoTime();
            try {
                login = stytch.authenticateSession(request.sessionToken(), null);
            } catch (InvalidTokenException e) {
                LOG.debug("The Stytch session of a session cookie is over: {}", e.getMessage());
                return invalid(request);
            } catch (MigrationException e) {
                backOff(e);
                return unavailable(current, stale, now, logins.failed(e, "re-check of a Stytch session", false));
            } finally {
                logins.metrics().stytchCall(System.nanoTime() - started);
            }
            long maxAge = login.sessionExpiresAt() > now ? login.sessionExpiresAt() - now : 0;
            if (current.loggedInWith(login.sessionId())) {
                return SessionDecision.confirmed(now).withFreshJwt(login.sessionJwt(), maxAge);
            }
            return linked(request, login, now).withFreshJwt(login.sessionJwt(), maxAge);
        } catch (RuntimeException e) {
            return SessionDecision.fail(logins.internalError(e, "re-check of a Stytch session", false), false);
        } finally {
            logins.exit();
        }
    }

    private SessionDecision linked(SessionRequest request, StytchLogin login, long confirmedAt) {
        HttpSessionLogin current = request.current();
        // a session handed to the filter is never revoked by a failed link (filterOwnsSession=false)
        CallbackResult result = logins.link(login, current.userId(), ownedToken(current), request.source(), false);
        if (result.isSuccess()) {
            return SessionDecision.login(result, request.source(), confirmedAt);
        }
        // a refusal (conflict) would repeat on every request: clear the cookies that carry it
        boolean final_ = result.error() == ErrorCode.ACCOUNT_CONFLICT;
        return SessionDecision.fail(result, final_ && request.hasCookies());
    }

    // Stytch cannot be asked now. The HttpSession already logged in from this session keeps working for the
    // grace period after Stytch last vouched for it; anything else gets the failure.
    private SessionDecision unavailable(HttpSessionLogin current, VerifiedJwt stale, long now, CallbackResult failure) {
        boolean sameSession = current.fromSessionSource() && (stale == null || current.loggedInWith(stale.sessionId()));
        if (sameSession && now - current.confirmedAt() < maxAgeSeconds + graceSeconds) {
            LOG.debug("Stytch cannot re-check the session of userId={} now; it stays logged in for the grace period",
                    current.userId());
            return SessionDecision.pass();
        }
        return SessionDecision.fail(failure, false);
    }

    private SessionDecision invalid(SessionRequest request) {
        return SessionDecision.notLoggedIn(request.current().fromSessionSource(), request.hasCookies());
    }

    private static String ownedToken(HttpSessionLogin current) {
        return HttpSessionLogin.SOURCE_CALLBACK.equals(current.source()) || current.source() == null
                ? current.ownedSessionToken() : null;
    }

    private boolean backingOff() {
        return System.nanoTime() - backOffUntilNanos.get() < 0;
    }

    private long backOffSeconds() {
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(backOffUntilNanos.get() - System.nanoTime()) + 1);
    }

    // A failing Stytch is not asked again by every request: each call could wait stytchTimeoutMillis.
    private void backOff(MigrationException e) {
        if (e.retryAfterSeconds() > 0 && (e.errorCode() == ErrorCode.STYTCH_UNAVAILABLE
                || e.errorCode() == ErrorCode.RATE_LIMITED)) {
            backOffUntilNanos.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(e.retryAfterSeconds()));
        }
    }

    /**
     * The app's own backend login ({@code MigrationLogin}): the session token or JWT it just received from
     * Stytch, checked (a JWT locally when it can be), then linked as any login. Never throws.
     */
    public CallbackResult loginForApp(String credential, HttpSessionLogin current) {
        boolean jwt = credential != null && credential.indexOf('.') >= 0;
        if (credential == null || (!jwt && !CallbackLogic.looksLikeToken(credential))
                || credential.length() > SessionJwtVerifier.MAX_JWT_LENGTH) {
            LOG.debug("Rejected an app login: the credential is missing or not shaped like a session token or JWT");
            return logins.fail(ErrorCode.INVALID_REQUEST, -1, null, false);
        }
        JwtVerdict verdict = jwt ? verifier.verify(credential) : null;
        if (verdict != null && verdict.kind() == JwtVerdict.Kind.INVALID) {
            LOG.debug("Rejected an app login: {}", verdict.reason());
            return logins.fail(ErrorCode.INVALID_TOKEN, -1, null, false);
        }
        if (!logins.enter()) {
            return logins.busy();
        }
        try {
            StytchLogin login;
            long started = System.nanoTime();
            try {
                if (verdict != null && verdict.kind() == JwtVerdict.Kind.VALID) {
                    VerifiedJwt v = verdict.jwt();
                    login = new StytchLogin(stytch.user(v.stytchUserId()), null, credential, false, v.sessionId(),
                            v.sessionExpiresAt());
                } else {
                    // a token, or a JWT that only Stytch can judge now (stale, an unknown kid, the keys unreachable)
                    login = jwt ? stytch.authenticateSession(null, credential) : stytch.authenticateSession(credential, null);
                }
            } finally {
                logins.metrics().stytchCall(System.nanoTime() - started);
            }
            return logins.link(login, current.userId(), ownedToken(current), HttpSessionLogin.SOURCE_APP, false);
        } catch (MigrationException e) {
            return logins.failed(e, "app login", false);
        } catch (RuntimeException e) {
            return logins.internalError(e, "app login", false);
        } finally {
            logins.exit();
        }
    }

    /**
     * The Stytch session(s) to end at logout: the one the HttpSession is logged in with, and the one of
     * the request's JWT when it is genuine (even expired). Nothing is revoked on the word of a forged JWT.
     * Revocation failures are logged; the logout goes on.
     *
     * @param jwt          the session JWT of the request, or null
     * @param sessionToken the session token cookie, or null: revoked only when nothing else names a session
     */
    public void logout(HttpSessionLogin current, String jwt, String sessionToken) {
        java.util.Set<String> sessions = new java.util.LinkedHashSet<>();
        if (current.stytchSessionId() != null) {
            sessions.add(current.stytchSessionId());
        }
        if (jwt != null) {
            JwtVerdict verdict = verifier.verify(jwt);
            if (verdict.jwt() != null) {
                sessions.add(verdict.jwt().sessionId());
            }
        }
        for (String sessionId : sessions) {
            try {
                stytch.revokeSession(sessionId);
                LOG.info("Logout: revoked Stytch session {} of userId={}", sessionId, current.userId());
            } catch (RuntimeException e) {
                LOG.warn("Logout: could not revoke Stytch session {} ({}); it ends at its own expiry", sessionId,
                        e.getMessage());
            }
        }
        String token = ownedToken(current) != null && current.stytchSessionId() == null ? ownedToken(current)
                : sessions.isEmpty() && CallbackLogic.looksLikeToken(sessionToken) ? sessionToken : null;
        if (token != null) {
            logins.revokeInBackground(token, "a logout");
        }
    }
}
