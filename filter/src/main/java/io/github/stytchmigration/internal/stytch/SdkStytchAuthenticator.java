package io.github.stytchmigration.internal.stytch;

import com.stytch.java.common.ErrorResponse;
import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchException;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.consumer.models.sessions.RevokeRequest;
import com.stytch.java.consumer.models.sessions.RevokeResponse;
import com.stytch.java.consumer.models.sessions.Session;
import com.stytch.java.consumer.models.users.Email;
import com.stytch.java.consumer.models.users.GetRequest;
import com.stytch.java.consumer.models.users.GetResponse;
import com.stytch.java.consumer.models.users.Name;
import com.stytch.java.consumer.models.users.PhoneNumber;
import com.stytch.java.consumer.models.users.UpdateRequest;
import com.stytch.java.consumer.models.users.UpdateResponse;
import com.stytch.java.consumer.models.users.User;
import io.github.stytchmigration.internal.ExternalIdWrite;
import io.github.stytchmigration.internal.MigrationException;
import io.github.stytchmigration.internal.MigrationException.InvalidTokenException;
import io.github.stytchmigration.internal.MigrationException.RateLimitedException;
import io.github.stytchmigration.internal.MigrationException.StytchUnavailableException;
import io.github.stytchmigration.internal.StytchAuthenticator;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.internal.StytchLogin;
import io.github.stytchmigration.internal.StytchSessionApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The one adapter to the Stytch Java SDK: exchanges a callback token for a {@link StytchLogin}, reads
 * users and re-checks or revokes sessions made elsewhere ({@link StytchSessionApi}), and maps every SDK
 * outcome to our own types. Nothing outside this package imports {@code com.stytch.*}.
 *
 * <p>Each instance owns one {@link StytchClient} (one OkHttp client, one coroutine scope). Every call
 * is bounded by {@code timeoutMillis}, because the SDK's own connect/read/write timeouts are 120 s and
 * it sets no call timeout.
 *
 * <p>Error mapping ({@link StytchException.Response} is Stytch's answer, {@link StytchException.Critical}
 * an upstream failure):
 * <ul>
 *   <li>429 (any error_type, including {@code user_lock_limit_reached}) → {@link RateLimitedException}
 *       with {@link #RATE_LIMIT_RETRY_AFTER_SECONDS};</li>
 *   <li>408 and 5xx → {@link StytchUnavailableException};</li>
 *   <li>{@code unauthorized_credentials} / {@code invalid_secret_authentication} (bad project id or
 *       secret) → {@link StytchUnavailableException} with {@link #CREDENTIALS_RETRY_AFTER_SECONDS}: the
 *       operator must act, the user did nothing wrong, and the callback cannot succeed until then;</li>
 *   <li>any other 4xx ({@code unable_to_auth_magic_link}, {@code magic_link_not_found},
 *       {@code oauth_token_not_found}, {@code pkce_*}, {@code invalid_token}, ...) →
 *       {@link InvalidTokenException} carrying the error_type;</li>
 *   <li>{@code Critical} (network, unreadable JSON), a timeout, an interrupt, or a closed client →
 *       {@link StytchUnavailableException}.</li>
 * </ul>
 * Messages carry the task, the HTTP status, Stytch's error_type and request_id, never the token, the
 * secret, the session token or JWT. Stytch's free-text {@code error_message} is left out too.
 */
public final class SdkStytchAuthenticator implements StytchAuthenticator, StytchSessionApi {
    private static final Logger LOG = LoggerFactory.getLogger(SdkStytchAuthenticator.class);
    /** The {@code stytch_token_type} of email magic links. */
    public static final String TOKEN_TYPE_MAGIC_LINKS = "magic_links";
    /** The {@code stytch_token_type} of OAuth. */
    public static final String TOKEN_TYPE_OAUTH = "oauth";

    /**
     * {@code Retry-After} for a Stytch 429. Stytch sends no Retry-After of its own (and the SDK would not
     * expose it); its limits are fixed windows aligned to the second/minute, and the one documented
     * limit on the magic link flow is per second, so one second is the shortest wait that can help.
     */
    public static final long RATE_LIMIT_RETRY_AFTER_SECONDS = 1;
    /** {@code Retry-After} when Stytch failed, timed out or was unreachable. */
    public static final long UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
    /** {@code Retry-After} when Stytch rejected our credentials: nothing changes until an operator acts. */
    public static final long CREDENTIALS_RETRY_AFTER_SECONDS = 60;
    /**
     * How long a call that outlived {@code timeoutMillis} is still listened to: a late answer's session
     * is revoked (no orphan sessions); then OkHttp's call timeout cancels the call, so no call holds a
     * dispatcher slot for the SDK's 120 s. The contract's bound is 30 s.
     */
    public static final Duration LATE_ANSWER_WINDOW = Duration.ofSeconds(30);
    /** error_type of revoking a session that is already gone: the wanted end state. */
    private static final String SESSION_NOT_FOUND = "session_not_found";

    /** error_types of an external_id Stytch will never accept for this user: retrying cannot help. */
    private static final Set<String> EXTERNAL_ID_REFUSALS = Set.of("duplicate_user_external_id", "invalid_external_id");

    /** error_types that mean the project id or secret is wrong, not the token. */
    private static final Set<String> CREDENTIAL_ERROR_TYPES =
            Set.of("unauthorized_credentials", "invalid_secret_authentication");

    // package-private for tests of the client's tuning
    final StytchClient client;
    private final long timeoutMillis;
    private final int sessionDurationMinutes;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Times out background external_id writes; made at the first one, so filters without writeExternalId start no thread. */
    private ScheduledThreadPoolExecutor timeouts;

    /**
     * Builds the adapter and its one {@link StytchClient}; sends nothing yet. Trusts its arguments:
     * the config validated them.
     *
     * @param projectId              Stytch project id
     * @param secret                 Stytch secret
     * @param apiBaseUrl             another API base URL (emulator, custom domain) without a trailing slash,
     *                               since the SDK appends {@code /v1/...} verbatim; null for the SDK default
     *                               by project id ({@code project-test*} → test, else live)
     * @param timeoutMillis          hard bound on each Stytch call
     * @param sessionDurationMinutes Stytch session length to request
     */
    public SdkStytchAuthenticator(String projectId, String secret, String apiBaseUrl, long timeoutMillis,
                                  int sessionDurationMinutes) {
        this.timeoutMillis = timeoutMillis;
        this.sessionDurationMinutes = sessionDurationMinutes;
        // "" is the SDK's "choose by project id"
        this.client = new StytchClient(projectId, secret, new OptionalClientConfig(apiBaseUrl == null ? "" : apiBaseUrl));
        OkHttpTuning.tune(client, OkHttpTuning.MAX_REQUESTS_PER_HOST, Duration.ofMillis(timeoutMillis).plus(LATE_ANSWER_WINDOW));
        SharedSdkThreads.opened();
    }

    @Override
    public StytchLogin authenticate(String tokenType, String token, String codeVerifier) {
        ensureOpen();
        Map<String, Object> noCustomClaims = Collections.emptyMap();
        if (TOKEN_TYPE_MAGIC_LINKS.equals(tokenType)) {
            String task = "authenticate magic link";
            com.stytch.java.consumer.models.magiclinks.AuthenticateRequest request =
                    new com.stytch.java.consumer.models.magiclinks.AuthenticateRequest(token, null, null, null,
                            sessionDurationMinutes, null, noCustomClaims, codeVerifier, null);
            com.stytch.java.consumer.models.magiclinks.AuthenticateResponse response =
                    await(task, client.getMagicLinks().authenticateCompletable(request),
                            com.stytch.java.consumer.models.magiclinks.AuthenticateResponse::getSessionToken);
            return toLogin(response.getUserId(), response.getUser(), response.getSessionToken(),
                    response.getSessionJWT(), response.getResetSessions(), response.getSession());
        }
        if (TOKEN_TYPE_OAUTH.equals(tokenType)) {
            String task = "authenticate OAuth token";
            com.stytch.java.consumer.models.oauth.AuthenticateRequest request =
                    new com.stytch.java.consumer.models.oauth.AuthenticateRequest(token, null,
                            sessionDurationMinutes, null, noCustomClaims, codeVerifier, null);
            com.stytch.java.consumer.models.oauth.AuthenticateResponse response =
                    await(task, client.getOauth().authenticateCompletable(request),
                            com.stytch.java.consumer.models.oauth.AuthenticateResponse::getSessionToken);
            return toLogin(response.getUserId(), response.getUser(), response.getSessionToken(),
                    response.getSessionJWT(), response.getResetSessions(), response.getUserSession());
        }
        throw new IllegalArgumentException("tokenType [" + tokenType + "] must be " + TOKEN_TYPE_MAGIC_LINKS
                + " or " + TOKEN_TYPE_OAUTH);
    }

    @Override
    public StytchIdentity user(String stytchUserId) {
        ensureOpen();
        GetResponse user = await("get user", client.getUsers().getCompletable(new GetRequest(stytchUserId)), r -> null);
        return identity(user.getUserId() == null || user.getUserId().isBlank() ? stytchUserId : user.getUserId(),
                user.getEmails(), user.getPhoneNumbers(), user.getName(), user.getExternalId());
    }

    @Override
    public StytchLogin authenticateSession(String sessionToken, String sessionJwt) {
        ensureOpen();
        if ((sessionToken == null) == (sessionJwt == null)) {
            throw new IllegalArgumentException("exactly one of sessionToken and sessionJwt");
        }
        // no session_duration_minutes: a re-check must not extend a session the frontend or the app started
        com.stytch.java.consumer.models.sessions.AuthenticateRequest request =
                new com.stytch.java.consumer.models.sessions.AuthenticateRequest(sessionToken, null, sessionJwt,
                        Collections.emptyMap(), null);
        // the session existed before this call: a late answer creates nothing to revoke
        com.stytch.java.consumer.models.sessions.AuthenticateResponse response =
                await("authenticate session", client.getSessions().authenticateCompletable(request), r -> null);
        if (response.getUser() == null) {
            throw new StytchUnavailableException("Stytch authenticate session failed: no user in the answer", null,
                    UNAVAILABLE_RETRY_AFTER_SECONDS);
        }
        Session session = response.getSession();
        return toLogin(session.getUserId(), response.getUser(), response.getSessionToken(), response.getSessionJWT(),
                false, session);
    }

    @Override
    public void revokeSession(String sessionId) {
        ensureOpen();
        try {
            await("revoke session", client.getSessions().revokeCompletable(new RevokeRequest(sessionId, null, null)),
                    r -> null);
        } catch (InvalidTokenException e) {
            if (!SESSION_NOT_FOUND.equals(e.stytchErrorType())) {
                throw e;
            }
            LOG.debug("Stytch session {} was already gone", sessionId);
        }
    }

    @Override
    public void revokeInBackground(String sessionToken, String reason) {
        if (sessionToken == null || sessionToken.isBlank() || closed.get()) {
            return;
        }
        CompletableFuture<StytchResult<RevokeResponse>> revoking;
        try {
            revoking = client.getSessions().revokeCompletable(new RevokeRequest(null, sessionToken, null));
        } catch (RuntimeException e) {
            LOG.warn("Could not revoke the Stytch session of {}: {}", reason, e.toString());
            return;
        }
        // bounded by OkHttp's call timeout; never waited for on a request thread
        revoking.whenComplete((result, failure) -> {
            if (result instanceof StytchResult.Success) {
                LOG.debug("Revoked the Stytch session of {}", reason);
                return;
            }
            MigrationException e = failure != null
                    ? new StytchUnavailableException("revoke failed: " + failure.getClass().getName(), null, -1)
                    : toException("revoke session", ((StytchResult.Error) result).getException());
            if (e instanceof InvalidTokenException && SESSION_NOT_FOUND.equals(((InvalidTokenException) e).stytchErrorType())) {
                LOG.debug("The Stytch session of {} was already gone", reason);
            } else {
                LOG.warn("Could not revoke the Stytch session of {}: {}", reason, e.getMessage());
            }
        });
    }

    @Override
    public CompletionStage<ExternalIdWrite> writeExternalId(String stytchUserId, String externalId) {
        String task = "update external_id of user " + stytchUserId;
        if (closed.get()) {
            return CompletableFuture.completedFuture(ExternalIdWrite.failed("Stytch client is closed"));
        }
        CompletableFuture<StytchResult<UpdateResponse>> call;
        try {
            // null metadata and roles: the SDK leaves them out of the body, so nothing but external_id changes
            call = client.getUsers().updateCompletable(new UpdateRequest(stytchUserId, null, null, null, null, externalId, null));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ExternalIdWrite.failed("Stytch " + task + " failed: " + e.getClass().getName()));
        }
        CompletableFuture<ExternalIdWrite> answer = new CompletableFuture<>();
        call.whenComplete((result, failure) -> answer.complete(failure != null && (closed.get() || cancelled(failure))
                ? ExternalIdWrite.cancelled("the filter stopped before Stytch answered") : externalIdWrite(task, result, failure)));
        ScheduledFuture<?> timer;
        try {
            timer = timeouts().schedule(() -> answer.complete(ExternalIdWrite.failed("Stytch " + task + " timed out after "
                    + timeoutMillis + " ms")), timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            // closed meanwhile: OkHttp's call timeout still bounds the call
            return answer;
        }
        answer.whenComplete((done, failure) -> timer.cancel(false));
        return answer;
    }

    // close() cancels the SDK's coroutines: kotlinx's JobCancellationException is a CancellationException
    private static boolean cancelled(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.util.concurrent.CancellationException) {
                return true;
            }
        }
        return false;
    }

    private static ExternalIdWrite externalIdWrite(String task, StytchResult<UpdateResponse> result, Throwable failure) {
        if (failure != null) {
            return ExternalIdWrite.failed("Stytch " + task + " failed: " + failure.getClass().getName());
        }
        if (result instanceof StytchResult.Success) {
            return ExternalIdWrite.written();
        }
        if (result instanceof StytchResult.Error) {
            StytchException e = ((StytchResult.Error) result).getException();
            if (e instanceof StytchException.Response
                    && EXTERNAL_ID_REFUSALS.contains(((StytchException.Response) e).getReason().getErrorType())) {
                return ExternalIdWrite.refused(((StytchException.Response) e).getReason().getErrorType());
            }
            return ExternalIdWrite.failed(toException(task, e).getMessage());
        }
        return ExternalIdWrite.failed("Stytch " + task + " failed: no result");
    }

    private synchronized ScheduledThreadPoolExecutor timeouts() {
        if (closed.get()) {
            throw new IllegalStateException("closed"); // never start a thread after close()
        }
        if (timeouts == null) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "stytch-migration-external-id-timeouts");
                t.setDaemon(true);
                t.setContextClassLoader(SdkStytchAuthenticator.class.getClassLoader());
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            timeouts = executor;
        }
        return timeouts;
    }

    /**
     * For {@code SdkThreadsCleanupListener} at the end of a webapp's shutdown: stops the SDK libraries'
     * shared threads when this webapp's loader owns them and no coroutine is pending any more.
     *
     * @return true when they were stopped
     * @see SharedSdkThreads#release()
     */
    public static boolean releaseSharedThreads() {
        return SharedSdkThreads.release();
    }

    /** {@code SdkThreadsCleanupListener} is declared: closing the filter leaves pending work to it quietly. */
    public static void cleanupListenerDeclared() {
        SharedSdkThreads.listenerDeclared();
    }

    /**
     * Closes the {@link StytchClient}: cancels its coroutine scope and JWKS refresh job, cancels in-flight
     * HTTP calls, shuts down its OkHttp dispatcher (non-daemon threads) and evicts its connection pool.
     * Idempotent. The last instance to close also stops the process-wide daemon threads of
     * kotlinx-coroutines and OkHttp when the closing thread's context class loader (a webapp's) loaded
     * those libraries; see {@link SharedSdkThreads} for what lingers and why this is safe.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            synchronized (this) {
                if (timeouts != null) {
                    timeouts.shutdownNow();
                }
            }
            try {
                client.close();
            } finally {
                SharedSdkThreads.closed();
            }
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new StytchUnavailableException("Stytch client is closed", null, UNAVAILABLE_RETRY_AFTER_SECONDS);
        }
    }

    /**
     * Waits at most {@code timeoutMillis} for the SDK's future, and maps what it yields. A call still
     * running then is not cancelled (the SDK would not cancel its HTTP call anyway): it is listened to
     * until OkHttp's call timeout, and a session it creates after all is revoked.
     *
     * @param sessionTokenOf the session token of a successful answer, for revoking a late one
     */
    private <T> T await(String task, CompletableFuture<StytchResult<T>> future, Function<T, String> sessionTokenOf) {
        StytchResult<T> result;
        try {
            result = future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            revokeIfItSucceedsLate(task, future, sessionTokenOf);
            throw new StytchUnavailableException("Stytch " + task + " timed out after " + timeoutMillis + " ms",
                    e, UNAVAILABLE_RETRY_AFTER_SECONDS, true);
        } catch (InterruptedException e) {
            revokeIfItSucceedsLate(task, future, sessionTokenOf);
            Thread.currentThread().interrupt();
            throw new StytchUnavailableException("Stytch " + task + " interrupted", e,
                    UNAVAILABLE_RETRY_AFTER_SECONDS, true);
        } catch (CancellationException e) {
            // the client was closed while the call was running
            throw new StytchUnavailableException("Stytch " + task + " cancelled: client is closed", null,
                    UNAVAILABLE_RETRY_AFTER_SECONDS, true);
        } catch (ExecutionException e) {
            // the SDK turns IOExceptions into Critical results, so this is a bug or a cancelled scope
            throw new StytchUnavailableException("Stytch " + task + " failed: "
                    + (e.getCause() == null ? "unknown" : e.getCause().getClass().getName()), e.getCause(),
                    UNAVAILABLE_RETRY_AFTER_SECONDS, true);
        }
        if (result instanceof StytchResult.Success) {
            @SuppressWarnings("unchecked")
            T value = ((StytchResult.Success<T>) result).getValue();
            if (value == null) {
                throw new StytchUnavailableException("Stytch " + task + " failed: empty answer", null,
                        UNAVAILABLE_RETRY_AFTER_SECONDS);
            }
            return value;
        }
        if (result instanceof StytchResult.Error) {
            throw toException(task, ((StytchResult.Error) result).getException());
        }
        throw new StytchUnavailableException("Stytch " + task + " failed: no result", null,
                UNAVAILABLE_RETRY_AFTER_SECONDS);
    }

    private <T> void revokeIfItSucceedsLate(String task, CompletableFuture<StytchResult<T>> future,
                                            Function<T, String> sessionTokenOf) {
        future.whenComplete((late, failure) -> {
            if (late instanceof StytchResult.Success) {
                @SuppressWarnings("unchecked")
                T value = ((StytchResult.Success<T>) late).getValue();
                String token = value == null ? null : sessionTokenOf.apply(value);
                if (token != null && !token.isEmpty()) {
                    revokeInBackground(token, "a " + task + " answered after the filter gave up");
                }
            }
        });
    }

    /** Maps an SDK error to ours; see the class comment for the table. */
    static MigrationException toException(String task, StytchException exception) {
        if (exception instanceof StytchException.Response) {
            ErrorResponse error = ((StytchException.Response) exception).getReason();
            int status = error.getStatusCode();
            String errorType = error.getErrorType();
            String detail = " (status=" + status + ", error_type=" + errorType + ", request_id="
                    + error.getRequestId() + ")";
            if (status == 429) {
                return new RateLimitedException("Stytch " + task + " rate limited" + detail,
                        RATE_LIMIT_RETRY_AFTER_SECONDS);
            }
            if (status >= 500 || status == 408) {
                return new StytchUnavailableException("Stytch " + task + " failed" + detail, null,
                        UNAVAILABLE_RETRY_AFTER_SECONDS);
            }
            if (CREDENTIAL_ERROR_TYPES.contains(errorType)) {
                return new StytchUnavailableException("Stytch " + task + " rejected the project credentials"
                        + detail + "; check stytchProjectId, stytchSecret and stytchApiBaseUrl", null,
                        CREDENTIALS_RETRY_AFTER_SECONDS);
            }
            return new InvalidTokenException(errorType, "Stytch " + task + " rejected the token" + detail);
        }
        // Critical: network failure or an answer the SDK could not read. Only its reason is kept as
        // the cause: Critical.toString() includes the unread body, which for a 2xx that failed to
        // parse holds the session token and JWT.
        Throwable reason = exception instanceof StytchException.Critical
                ? ((StytchException.Critical) exception).getReason() : null;
        // the request may have reached Stytch before the connection broke or the answer proved unreadable
        return new StytchUnavailableException("Stytch " + task + " failed: "
                + (reason == null ? "unknown error" : reason.getClass().getName() + ": " + reason.getMessage()),
                reason, UNAVAILABLE_RETRY_AFTER_SECONDS, true);
    }

    private static StytchLogin toLogin(String userId, User user, String sessionToken, String sessionJwt,
                                       boolean resetSessions, Session session) {
        String stytchUserId = userId != null && !userId.isBlank() ? userId : user.getUserId();
        StytchIdentity identity = identity(stytchUserId, user.getEmails(), user.getPhoneNumbers(), user.getName(),
                user.getExternalId());
        return new StytchLogin(identity, sessionToken, sessionJwt, resetSessions,
                session == null ? null : session.getSessionId(),
                session == null || session.getExpiresAt() == null ? -1 : session.getExpiresAt().getEpochSecond());
    }

    private static StytchIdentity identity(String stytchUserId, List<Email> userEmails, List<PhoneNumber> userPhones,
                                           Name name, String externalId) {
        List<Identifier> emails = new ArrayList<>();
        for (Email email : userEmails) {
            if (email.getEmail() != null && !email.getEmail().isBlank()) {
                emails.add(new Identifier(email.getEmail(), email.getVerified()));
            }
        }
        List<Identifier> phones = new ArrayList<>();
        for (PhoneNumber phone : userPhones) {
            if (phone.getPhoneNumber() != null && !phone.getPhoneNumber().isBlank()) {
                phones.add(new Identifier(phone.getPhoneNumber(), phone.getVerified()));
            }
        }
        return new StytchIdentity(stytchUserId, emails, phones,
                name == null ? null : emptyToNull(name.getFirstName()),
                name == null ? null : emptyToNull(name.getLastName()), emptyToNull(externalId));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
