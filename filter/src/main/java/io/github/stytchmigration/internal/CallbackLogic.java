package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.internal.MigrationException.StytchUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The callback, free of servlets: validate the request, offer the confirmation page, authenticate
 * with Stytch, link or create the internal user, and report the outcome. Never throws; every failure
 * becomes a {@link CallbackResult} with its {@link ErrorCode}.
 *
 * <p>Logging: rejected requests and tokens at DEBUG (the client's fault), every outcome once at INFO
 * (ids only, email masked), what an operator must act on at WARN, internal errors at ERROR with an
 * incident id.
 */
public final class CallbackLogic {
    /** Stytch tokens are 44 characters; anything far longer is not a token. */
    public static final int MAX_TOKEN_LENGTH = 512;
    /** PKCE verifiers are 43..128 characters (RFC 7636). */
    public static final int MAX_CODE_VERIFIER_LENGTH = 128;
    // base64 / base64url alphabets plus '.', '~': every token Stytch issues fits; control
    // characters, quotes, '<', ';' and spaces never reach Stytch or a log.
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_\\-=+/.~]{1," + MAX_TOKEN_LENGTH + "}");
    private static final Pattern CODE_VERIFIER = Pattern.compile("[A-Za-z0-9_\\-.~]{1," + MAX_CODE_VERIFIER_LENGTH + "}");

    private static final Logger LOG = LoggerFactory.getLogger(CallbackLogic.class);

    /** {@code Retry-After} when the bulkhead is full: logins in flight take about a Stytch round trip. */
    static final long BUSY_RETRY_AFTER_SECONDS = 1;
    /** At most one WARN per this many ms about a full bulkhead: a storm must not flood the log. */
    private static final long BUSY_WARN_INTERVAL_MILLIS = 10_000;

    private final Set<String> allowedTokenTypes;
    private final boolean confirmPage;
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

    public CallbackLogic(MigrationConfig config, StytchAuthenticator stytch, UserStore store) {
        this(config, stytch, store, new MigrationMetrics());
    }

    /** @param metrics where logins, failures and the time spent on Stytch and the database are counted */
    public CallbackLogic(MigrationConfig config, StytchAuthenticator stytch, UserStore store, MigrationMetrics metrics) {
        this.allowedTokenTypes = Set.copyOf(config.tokenTypes());
        this.confirmPage = config.confirmPage();
        this.stytch = stytch;
        this.store = store;
        this.listener = config.listener();
        this.maxInFlight = config.maxConcurrentCallbacks();
        this.inFlight = new Semaphore(maxInFlight);
        this.metrics = metrics;
        this.externalIds = config.writeExternalId() ? new ExternalIdWriter(stytch, metrics) : null;
        metrics.inFlightFrom(() -> maxInFlight - inFlight.availablePermits());
    }

    // The reason goes to the DEBUG log only: it describes the shape, never the value.
    private String problemWith(CallbackRequest request) {
        if (!"GET".equals(request.method()) && !"POST".equals(request.method())) {
            return "method not allowed";
        }
        List<String> types = request.tokenTypes();
        if (types.isEmpty()) {
            return "stytch_token_type missing";
        }
        if (types.size() > 1) {
            return "stytch_token_type repeated";
        }
        if (!allowedTokenTypes.contains(types.get(0))) {
            return "stytch_token_type not allowed";
        }
        List<String> tokens = request.tokens();
        if (tokens.isEmpty()) {
            return "token missing";
        }
        if (tokens.size() > 1) {
            return "token repeated";
        }
        String token = tokens.get(0);
        if (token == null || token.isBlank()) {
            return "token blank";
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return "token oversized (" + token.length() + " chars)";
        }
        if (!TOKEN.matcher(token).matches()) {
            return "token has characters outside the token alphabet";
        }
        String verifier = request.codeVerifier();
        if (verifier != null && !CODE_VERIFIER.matcher(verifier).matches()) {
            return "code verifier malformed";
        }
        return null;
    }

    /** Validates, then offers the confirmation page or authenticates, links or creates. Never throws. */
    public CallbackResult handle(CallbackRequest request) {
        String problem = problemWith(request);
        if (problem != null) {
            LOG.debug("Rejected a callback: {}", problem);
            return fail(ErrorCode.INVALID_REQUEST, -1, null, false);
        }
        if (confirmPage && "GET".equals(request.method())) {
            // link scanners follow GETs: only the page's POST spends the one-time token
            return CallbackResult.confirm();
        }
        // the bulkhead: a login storm against a slow Stytch must not take every container thread
        if (!inFlight.tryAcquire()) {
            return busy();
        }
        try {
            return login(request);
        } finally {
            inFlight.release();
        }
    }

    private CallbackResult login(CallbackRequest request) {
        String tokenType = request.tokenTypes().get(0);
        String token = request.tokens().get(0);
        StytchLogin login;
        long started = System.nanoTime();
        try {
            login = stytch.authenticate(tokenType, token, request.codeVerifier());
        } catch (MigrationException e) {
            boolean spent = e instanceof StytchUnavailableException && ((StytchUnavailableException) e).mayHaveSpentToken();
            return failed(e, "Stytch authentication (" + tokenType + ")", spent);
        } catch (RuntimeException e) {
            return internalError(e, "Stytch authentication (" + tokenType + ")", true);
        } finally {
            metrics.stytchCall(System.nanoTime() - started);
        }
        StytchIdentity identity = login.identity();
        LinkResult link;
        started = System.nanoTime();
        try {
            link = store.linkOrCreate(identity);
        } catch (MigrationException e) {
            revokeOrphan(login, e.errorCode().code());
            return failed(e, "link-or-create of Stytch user " + identity.stytchUserId(), true);
        } catch (RuntimeException e) {
            revokeOrphan(login, ErrorCode.INTERNAL_ERROR.code());
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
        boolean otherUser = request.currentUserId() != null && !request.currentUserId().equals(link.userId());
        String previousSession = request.currentStytchSessionToken();
        if (previousSession != null && !previousSession.equals(login.sessionToken())) {
            // the HttpSession's earlier Stytch session is replaced: nobody would hold it any more
            stytch.revokeInBackground(previousSession, otherUser
                    ? "userId=" + request.currentUserId() + ", whose HttpSession userId=" + link.userId() + " logged into"
                    : "an earlier login of userId=" + link.userId());
        }
        LOG.info("{} userId={} stytchUserId={} email={} via {}{}", link.outcome(), link.userId(),
                identity.stytchUserId(), Masking.maskIdentifier(identity.primaryEmail()), tokenType,
                (otherUser ? " (replacing the HttpSession of userId=" + request.currentUserId() + ")" : "")
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

    // No orphan Stytch sessions: a login that fails after Stytch created its session revokes it.
    private void revokeOrphan(StytchLogin login, String code) {
        stytch.revokeInBackground(login.sessionToken(), "Stytch user " + login.identity().stytchUserId()
                + ", whose login failed with " + code);
    }

    private CallbackResult busy() {
        metrics.busyRejection();
        refusedSinceWarning.incrementAndGet();
        long now = System.nanoTime();
        long last = lastBusyWarning.get();
        if (now - last >= TimeUnit.MILLISECONDS.toNanos(BUSY_WARN_INTERVAL_MILLIS) && lastBusyWarning.compareAndSet(last, now)) {
            LOG.warn("stytch_unavailable: {} callbacks already in flight (maxConcurrentCallbacks); refused {} since the"
                    + " last warning. Stytch or the database is slow, or the limit is too low for the traffic",
                    maxInFlight, refusedSinceWarning.getAndSet(0));
        }
        return fail(ErrorCode.STYTCH_UNAVAILABLE, BUSY_RETRY_AFTER_SECONDS, null, false);
    }

    private CallbackResult failed(MigrationException e, String task, boolean tokenSpent) {
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
                // the client's fault (a used, expired or foreign link): no operator action
                LOG.debug("{}: {}: {}", code.code(), task, e.getMessage());
                return fail(code, e.retryAfterSeconds(), null, true);
            default:
                LOG.info("{}: {}: {}", code.code(), task, e.getMessage());
                return fail(code, e.retryAfterSeconds(), null, tokenSpent);
        }
    }

    private CallbackResult internalError(RuntimeException e, String task, boolean tokenSpent) {
        String incident = UUID.randomUUID().toString();
        LOG.error("internal_error incident={}: {} failed", incident, task, e);
        return fail(ErrorCode.INTERNAL_ERROR, -1, incident, tokenSpent);
    }

    private CallbackResult fail(ErrorCode code, long retryAfterSeconds, String incidentId, boolean tokenSpent) {
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
