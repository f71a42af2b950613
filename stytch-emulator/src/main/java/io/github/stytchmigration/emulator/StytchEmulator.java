package io.github.stytchmigration.emulator;

import io.github.stytchmigration.emulator.internal.ApiException;
import io.github.stytchmigration.emulator.internal.Emulation;
import io.github.stytchmigration.emulator.internal.HoldGate;
import io.github.stytchmigration.emulator.internal.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * An offline Stytch consumer API on 127.0.0.1 that the real Stytch Java SDK parses without
 * complaint. Point the SDK at {@link #baseUrl()}; read "sent" emails with {@link #outbox(String)}.
 * State lives in memory, or in a data directory ({@link Builder#dataDir(Path)}) that survives
 * restarts. Its threads are daemons; {@link #close()} stops them.
 */
public final class StytchEmulator implements AutoCloseable {

    /** The default project id, a test-environment id. */
    public static final String DEFAULT_PROJECT_ID = "project-test-00000000-0000-4000-8000-000000000000";
    /** The default secret. */
    public static final String DEFAULT_SECRET = "secret-test-emulator";

    private final Emulation emulation;
    private final Store store;
    private final Server server;
    private final int port;
    private final String projectId;
    private final String secret;
    private final AtomicBoolean closed = new AtomicBoolean();

    private StytchEmulator(Builder builder) throws Exception {
        this.projectId = builder.projectId;
        this.secret = builder.secret;
        this.store = builder.dataDir == null ? null : new Store(builder.dataDir);
        try {
            this.emulation = new Emulation(projectId, secret, builder.clock, store);
        } catch (RuntimeException e) {
            closeStore();
            throw e;
        }
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName("stytch-emulator");
        threads.setDaemon(true);
        this.server = new Server(threads, new ScheduledExecutorScheduler("stytch-emulator-scheduler", true), null);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(builder.port);
        server.addConnector(connector);
        server.setHandler(emulation.handler());
        // No graceful wait: pooled client connections would hold close() for the whole timeout.
        server.setStopTimeout(0);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            closeStore();
            throw e;
        }
        this.port = connector.getLocalPort();
        // The first certificate costs BouncyCastle's start-up: pay it now, beside the caller, not in
        // the first JWKS request (a client's first local JWT check).
        Thread certificates = new Thread(emulation::makeCertificates, "stytch-emulator-certificates");
        certificates.setDaemon(true);
        certificates.start();
    }

    /** A builder; {@link Builder#start()} starts the emulator. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts an emulator with the default project id and secret on a free port. */
    public static StytchEmulator start() {
        return builder().start();
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash: the SDK appends {@code /v1/...}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String projectId() {
        return projectId;
    }

    public String secret() {
        return secret;
    }

    /** The data directory the state is kept in, or empty when it is in memory only. */
    public Optional<Path> dataDir() {
        return Optional.ofNullable(store).map(Store::dir);
    }

    /** Messages sent to this email address or phone number (case-insensitive), oldest first. */
    public List<OutboxMessage> outbox(String to) {
        return emulation.state().outbox(Objects.requireNonNull(to, "to"));
    }

    /**
     * Does what {@code POST /v1/magic_links/email/login_or_create} does, without HTTP: creates the
     * user when absent (status {@code active}, email unverified until the link is authenticated),
     * records the message in the outbox, and returns the new single-use token (a signup link for a
     * new or pending user, valid 10080 minutes; else a login link, valid 60 minutes).
     */
    public String magicLinkToken(String email) {
        return call(() -> emulation.magicLinkToken(email));
    }

    /** Same as {@code POST /emulator/oauth/token}: a one-time OAuth token for this account. */
    public String oauthToken(String provider, String email, boolean emailVerified) {
        return call(() -> emulation.oauthToken(provider, email, emailVerified));
    }

    /** Creates an active user directly; either identifier may be null. Returns the user_id. */
    public String createUser(String email, boolean emailVerified, String phoneNumber, boolean phoneVerified) {
        return call(() -> emulation.createUser(email, emailVerified, phoneNumber, phoneVerified));
    }

    /** Like {@code POST /v1/magic_links}: an embeddable magic-link token for this user (or external id). */
    public String embeddableMagicLinkToken(String userId) {
        return call(() -> emulation.embeddableMagicLinkToken(userId));
    }

    /** Same as {@code POST /emulator/faults}. */
    public void injectFault(Fault fault) {
        emulation.state().addFault(Objects.requireNonNull(fault, "fault"));
    }

    /** How many requests reached exactly this path (e.g. {@code /v1/magic_links/authenticate}) since start or reset. */
    public long requestCount(String path) {
        return emulation.state().requestCount(path);
    }

    // ---- signing keys ----

    /**
     * Same as {@code POST /emulator/keys/rotate}: a new RSA key signs JWTs from now on, while the
     * JWKS keeps serving the old ones, so a client must refetch the JWKS on the unknown kid.
     * Returns the new kid.
     */
    public String rotateSigningKey() {
        return emulation.rotateSigningKey();
    }

    /** Same as {@code POST /emulator/keys/drop_old}: only the signing key stays in the JWKS. Returns the dropped kids. */
    public List<String> dropOldSigningKeys() {
        return emulation.dropOldSigningKeys();
    }

    /** The kids in the JWKS, oldest first; the last one signs new JWTs. */
    public List<String> signingKeyIds() {
        return emulation.signingKeyIds();
    }

    // ---- sessions as a frontend SDK makes them ----

    /**
     * Same as {@code POST /emulator/sessions {"user_id"}}: a 60-minute session for this user (user
     * id or external id), with the values a frontend SDK login leaves in the browser's cookies.
     * Its factor is the user's first verified email (magic link) or else phone (SMS OTP).
     */
    public FrontendSession startSession(String userId) {
        return startSession(userId, 60);
    }

    /** {@link #startSession(String)} lasting {@code durationMinutes} (5..527040). */
    public FrontendSession startSession(String userId, int durationMinutes) {
        Objects.requireNonNull(userId, "userId");
        return call(() -> emulation.startSession(userId, null, durationMinutes));
    }

    /**
     * Same as {@code POST /emulator/sessions {"email"}}: a 60-minute session for the user with this
     * email, created when absent; the email becomes verified, as a login by email proves it.
     */
    public FrontendSession startSessionForEmail(String email) {
        return startSessionForEmail(email, 60);
    }

    /** {@link #startSessionForEmail(String)} lasting {@code durationMinutes} (5..527040). */
    public FrontendSession startSessionForEmail(String email, int durationMinutes) {
        Objects.requireNonNull(email, "email");
        return call(() -> emulation.startSession(null, email, durationMinutes));
    }

    /**
     * Same as {@code POST /emulator/sessions/{id}/jwt}: a JWT of this session (live, expired or
     * revoked) with this {@code iat} (also {@code nbf}) and {@code exp}, signed by the current key.
     */
    public String mintSessionJwt(String sessionId, Instant issuedAt, Instant expiresAt) {
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        return call(() -> emulation.mintSessionJwt(sessionId, issuedAt, expiresAt));
    }

    /** A JWT of this session issued {@code age} ago by the emulator's clock, living the usual 5 minutes from then. */
    public String mintSessionJwt(String sessionId, Duration age) {
        Instant issuedAt = emulation.state().now().minus(age);
        return mintSessionJwt(sessionId, issuedAt, issuedAt.plusSeconds(300));
    }

    /**
     * Emulator-only, for tests of JWT verifiers: signs any JSON payload with the current signing key
     * (header {@code alg: RS256}, its {@code kid}, {@code typ: JWT}). A genuine signature over claims
     * Stytch would never issue: another audience, another issuer, a missing session claim. No HTTP
     * counterpart.
     */
    public String signJwtPayload(String payloadJson) {
        Objects.requireNonNull(payloadJson, "payloadJson");
        return emulation.signJwtPayload(payloadJson);
    }

    /** Same as {@code POST /emulator/sessions/{id}/revoke}: revokes a live session (logged as via the emulator). */
    public SessionRecord revokeSession(String sessionId) {
        return call(() -> emulation.revokeSession(sessionId));
    }

    /** Same as {@code POST /emulator/sessions/{id}/expire}: the session's expiry becomes now. */
    public SessionRecord expireSession(String sessionId) {
        return call(() -> emulation.expireSession(sessionId));
    }

    /** Same as {@code GET /emulator/sessions/{id}}: the session, revoked ones included; empty when unknown. */
    public Optional<SessionRecord> session(String sessionId) {
        return emulation.state().sessionRecord(sessionId);
    }

    /** Same as {@code GET /emulator/sessions?user_id=}: this user's sessions, revoked ones included, oldest first. */
    public List<SessionRecord> sessions(String userId) {
        String resolved = call(() -> emulation.userId(userId));
        return emulation.state().sessionRecords(resolved);
    }

    /**
     * Same as {@code GET /emulator/revocations}: every revoked session, in the order revoked, through
     * {@code POST /v1/sessions/revoke} ({@link SessionRecord#VIA_API}) or the emulator.
     */
    public List<SessionRecord> revocations() {
        return emulation.state().revocations();
    }

    // ---- records of users.update ----

    /** Same as {@code GET /emulator/users/updates}: every users.update call, oldest first. */
    public List<UserUpdate> userUpdates() {
        return emulation.state().userUpdates(null);
    }

    /** The users.update calls that resolved to this user (user id or external id), oldest first. */
    public List<UserUpdate> userUpdates(String userId) {
        String resolved = call(() -> emulation.userId(userId));
        return emulation.state().userUpdates(resolved);
    }

    // ---- hold and release ----

    /**
     * Same as {@code POST /emulator/hold {"count","timeout_ms"}}: the answers of the next
     * {@code count} magic-link, OAuth and session authenticate calls wait until {@code count} of them
     * are waiting, then all are sent together (each waits at most {@code timeout}). Replaces a
     * previous hold, releasing its waiting answers.
     */
    public Hold holdAuthenticateAnswers(int count, Duration timeout) {
        return holdAnswers(count, timeout, HoldGate.AUTHENTICATE_PATHS);
    }

    /** {@link #holdAuthenticateAnswers} for the requests to these exact paths (1..32 answers). */
    public Hold holdAnswers(int count, Duration timeout, Set<String> paths) {
        HoldGate gate = new HoldGate(count, Objects.requireNonNull(timeout, "timeout"),
                Objects.requireNonNull(paths, "paths"));
        emulation.state().setHold(gate);
        return new Hold(gate);
    }

    /**
     * Clears users, tokens, sessions, messages, records, faults, holds and counters; keeps the
     * signing keys. With a data directory, the cleared state is saved.
     */
    public void reset() {
        emulation.state().reset();
    }

    /** Replaces the clock that decides token and session expiry (tests of expiry). */
    public void setClock(Clock clock) {
        emulation.state().setClock(Objects.requireNonNull(clock, "clock"));
    }

    /** Stops the server and its threads, and lets go of the data directory; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            emulation.state().setHold(null);
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the Stytch emulator", e);
            } finally {
                closeStore();
            }
        }
    }

    private void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private static <T> T call(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (ApiException e) {
            throw new IllegalArgumentException(e.errorType() + ": " + e.getMessage(), e);
        }
    }

    /** Settings for a new emulator. */
    public static final class Builder {
        private int port;
        private String projectId = DEFAULT_PROJECT_ID;
        private String secret = DEFAULT_SECRET;
        private Clock clock = Clock.systemUTC();
        private Path dataDir;

        private Builder() {
        }

        /**
         * Keep the state in this directory (created when absent) instead of memory only: users,
         * sessions, tokens, the outbox, records and the signing keys survive a restart, so user ids
         * stay and JWTs minted before it still verify. Default none. One emulator per directory.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** The port, default 0 (any free port). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port [" + port + "] must be 0..65535");
            }
            this.port = port;
            return this;
        }

        /** The project id, default {@link #DEFAULT_PROJECT_ID}. */
        public Builder projectId(String projectId) {
            this.projectId = requireText(projectId, "projectId");
            return this;
        }

        /** The secret, default {@link #DEFAULT_SECRET}. */
        public Builder secret(String secret) {
            this.secret = requireText(secret, "secret");
            return this;
        }

        /** The clock for expiry decisions, default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Starts the emulator; it is listening when this returns. */
        public StytchEmulator start() {
            try {
                return new StytchEmulator(this);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the Stytch emulator on port " + port, e);
            }
        }

        private static String requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value;
        }
    }
}
