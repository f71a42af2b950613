package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.internal.MigrationException.InvalidTokenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every login does once Stytch has vouched for a user, whichever way it came (a callback, a session
 * cookie, a Bearer JWT, the app's own call): the bulkhead around the slow part, link-or-create, the
 * no-orphan rule, the outcome logged once, the listener told. Failures become {@link CallbackResult}s
 * with their {@link ErrorCode}; nothing here throws.
 */
public final class Logins {
    /** {@code Retry-After} when the bulkhead is full: logins in flight take about a Stytch round trip. */
    static final long BUSY_RETRY_AFTER_SECONDS = 1;
    /** At most one WARN per this many ms about a full bulkhead: a storm must not flood the log. */
    private static final long BUSY_WARN_INTERVAL_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(Logins.class);

    private final StytchAuthenticator stytch;
    private final UserStore store;
    private final MigrationListener listener;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final AtomicLong lastBusyWarning = new AtomicLong(System.nanoTime() - TimeUnit.DAYS.toNanos(1));
    private final AtomicLong refusedSinceWarning = new AtomicLong();
    private final MigrationMetrics metrics;
    /** Null unless {@code writeExternalId}. */
    private final ExternalIdWriter externalIds;

    public Logins(MigrationConfig config, StytchAuthenticator stytch, UserStore store) {
        this(config, stytch, store, new MigrationMetrics());
    }

    /** @param metrics where logins, failures and the time spent on Stytch and the database are counted */
    public Logins(MigrationConfig config, StytchAuthenticator stytch, UserStore store, MigrationMetrics metrics) {
        this.stytch = stytch;
        this.store = store;
        this.listener = config.listener();
        this.maxInFlight = config.maxConcurrentCallbacks();
        this.inFlight = new Semaphore(maxInFlight);
        this.metrics = metrics;
        this.externalIds = config.writeExternalId() ? new ExternalIdWriter(stytch, metrics) : null;
        metrics.inFlightFrom(() -> maxInFlight - inFlight.availablePermits());
    }

    /** Where this instance counts; the ways in time their Stytch calls into it. */
    public MigrationMetrics metrics() {
        return metrics;
    }

    /**
     * Takes a place in the bulkhead: a login storm against a slow Stytch or database must not take every
     * container thread. False when full; then answer {@link #busy()}. Pair a true with {@link #exit()}.
     */
    public boolean enter() {
        return inFlight.tryAcquire();
    }

    public void exit() {
        inFlight.release();
    }

    /**
     * Links or creates the user Stytch vouched for, and reports the outcome.
     *
     * @param login                 who, and the Stytch session that proves it
     * @param currentUserId         the internal user the HttpSession is logged in as, or null
     * @param previousOwnedSession  the token of a Stytch session the filter created for this HttpSession's
     *                              earlier login, or null: revoked once replaced, since nobody else holds it
     * @param via                   how the login came, for the log: a token type, {@code cookie}, {@code bearer}, {@code app}
     * @param filterOwnsSession     whether the filter created {@code login}'s session (a callback): a failed
     *                              link then revokes it. A session handed to the filter is never revoked.
     */
    public CallbackResult link(StytchLogin login, String currentUserId, String previousOwnedSession, String via,
                               boolean filterOwnsSession) {
        StytchIdentity identity = login.identity();
        LinkResult link;
        long started = System.nanoTime();
        try {
            link = store.linkOrCreate(identity);
        } catch (MigrationException e) {
            revokeOrphan(login, filterOwnsSession, e.errorCode().code());
            return failed(e, "link-or-create of Stytch user " + identity.stytchUserId(), true);
        } catch (RuntimeException e) {
            revokeOrphan(login, filterOwnsSession, ErrorCode.INTERNAL_ERROR.code());
            return internalError(e, "link-or-create of Stytch user " + identity.stytchUserId(), true);
        } finally {
            metrics.databaseCall(System.nanoTime() - started);
        }
        MigrationResult result = new MigrationResult(link.outcome(), link.userId(), identity.stytchUserId(),
                login.resetSessions(), link.secondFactorRequired());
        if (link.replacedStytchUserId() != null) {
            metrics.relinked();
            LOG.warn("AUDIT relinked userId={} from stytchUserId={} to stytchUserId={} (conflictPolicy=relink)",
                    link.userId(), link.replacedStytchUserId(), identity.stytchUserId());
            notify(() -> listener.onRelinked(link.userId(), link.replacedStytchUserId(), identity.stytchUserId()));
        }
        boolean otherUser = currentUserId != null && !currentUserId.equals(link.userId());
        if (previousOwnedSession != null && !previousOwnedSession.equals(login.sessionToken())) {
            // the HttpSession's earlier Stytch session is replaced: nobody would hold it any more
            stytch.revokeInBackground(previousOwnedSession, otherUser
                    ? "userId=" + currentUserId + ", whose HttpSession userId=" + link.userId() + " logged into"
                    : "an earlier login of userId=" + link.userId());
        }
        LOG.info("{} userId={} stytchUserId={} email={} via {}{}", link.outcome(), link.userId(),
                identity.stytchUserId(), Masking.maskIdentifier(identity.primaryEmail()), via,
                (otherUser ? " (replacing the HttpSession of userId=" + currentUserId + ")" : "")
                        + (link.secondFactorRequired() ? ", second factor pending" : ""));
        metrics.outcome(link.outcome());
        if (externalIds != null) {
            try {
                externalIds.afterLogin(identity, link.userId());
            } catch (RuntimeException e) {
                LOG.warn("writeExternalId failed for Stytch user {}; the login goes on", identity.stytchUserId(), e);
            }
        }
        notify(() -> listener.onSuccess(result));
        return CallbackResult.success(result, login, otherUser);
    }

    /** Revokes a Stytch session in the background; see {@link StytchAuthenticator#revokeInBackground}. */
    public void revokeInBackground(String sessionToken, String reason) {
        stytch.revokeInBackground(sessionToken, reason);
    }

    // No orphan Stytch sessions: a login that fails after Stytch created its session for the filter revokes it.
    private void revokeOrphan(StytchLogin login, boolean filterOwnsSession, String code) {
        if (filterOwnsSession) {
            stytch.revokeInBackground(login.sessionToken(), "Stytch user " + login.identity().stytchUserId()
                    + ", whose login failed with " + code);
        }
    }

    /** The answer when {@link #enter()} refused: 503 with a short Retry-After, one WARN per interval. */
    public CallbackResult busy() {
        metrics.busyRejection();
        refusedSinceWarning.incrementAndGet();
        long now = System.nanoTime();
        long last = lastBusyWarning.get();
        if (now - last >= TimeUnit.MILLISECONDS.toNanos(BUSY_WARN_INTERVAL_MILLIS) && lastBusyWarning.compareAndSet(last, now)) {
            LOG.warn("stytch_unavailable: {} logins already in flight (maxConcurrentCallbacks); refused {} since the"
                    + " last warning. Stytch or the database is slow, or the limit is too low for the traffic",
                    maxInFlight, refusedSinceWarning.getAndSet(0));
        }
        return fail(ErrorCode.STYTCH_UNAVAILABLE, BUSY_RETRY_AFTER_SECONDS, null, false);
    }

    /** Logs a failure at the level its code deserves and turns it into a result. */
    public CallbackResult failed(MigrationException e, String task, boolean tokenSpent) {
        ErrorCode code = e.errorCode();
        switch (code) {
            case STYTCH_UNAVAILABLE:
            case DATABASE_UNAVAILABLE:
                // the operator must act; the message names the task and upstream ids, never a token
                LOG.warn("{}: {} failed: {}", code.code(), task, e.getMessage());
                return fail(code, e.retryAfterSeconds(), null, tokenSpent);
            case INTERNAL_ERROR:
                return internalError(e, task, tokenSpent);
            case INVALID_TOKEN:
                // the client's fault (a used, expired or foreign link or session): no operator action
                LOG.debug("{}: {}: {}", code.code(), task, e.getMessage());
                if (refusedForPkce(e)) {
                    return fail(code, e.retryAfterSeconds(), null, false).openedInAnotherBrowser();
                }
                return fail(code, e.retryAfterSeconds(), null, true);
            default:
                LOG.info("{}: {}: {}", code.code(), task, e.getMessage());
                return fail(code, e.retryAfterSeconds(), null, tokenSpent);
        }
    }

    // pkce_mismatch, pkce_expected_code_verifier, ...: the verifier of the browser that asked for the link is not here
    private static boolean refusedForPkce(MigrationException e) {
        return e instanceof InvalidTokenException && ((InvalidTokenException) e).stytchErrorType() != null
                && ((InvalidTokenException) e).stytchErrorType().startsWith("pkce_");
    }

    /** An unexpected failure: logged at ERROR with a new incident id that the answer shows. */
    public CallbackResult internalError(RuntimeException e, String task, boolean tokenSpent) {
        String incident = UUID.randomUUID().toString();
        LOG.error("internal_error incident={}: {} failed", incident, task, e);
        return fail(ErrorCode.INTERNAL_ERROR, -1, incident, tokenSpent);
    }

    /** A failure result, the listener told. */
    public CallbackResult fail(ErrorCode code, long retryAfterSeconds, String incidentId, boolean tokenSpent) {
        metrics.failure(code);
        notify(() -> listener.onFailure(code, incidentId));
        return CallbackResult.failure(code, retryAfterSeconds, incidentId, tokenSpent);
    }

    private static void notify(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.warn("A MigrationListener threw; the login goes on", e);
        }
    }
}
