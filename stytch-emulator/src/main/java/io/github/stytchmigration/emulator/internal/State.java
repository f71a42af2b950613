package io.github.stytchmigration.emulator.internal;

import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.SessionRecord;
import io.github.stytchmigration.emulator.UserUpdate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * All state of one emulator. Compound reads and writes run inside {@link #tx}, which holds one
 * lock: the emulator is a test tool, so simple and obviously consistent beats fast. With a data
 * directory, the outermost {@code tx} saves the state when it changed, before the lock is let go.
 */
public final class State {

    private final Object lock = new Object();
    private volatile Clock clock;
    private final Ids ids;
    private final String projectId;
    private final Store store;
    private final SigningKeys keys;
    private int txDepth;

    final Map<String, Model.User> users = new LinkedHashMap<>();
    final Map<String, Model.MagicToken> magicTokens = new LinkedHashMap<>();
    final Map<String, Model.OAuthToken> oauthTokens = new LinkedHashMap<>();
    /** The latest passcode per method id (email_id or phone_id). */
    final Map<String, Model.Otp> otps = new LinkedHashMap<>();
    /** All sessions by id, revoked and expired ones included. */
    final Map<String, Model.Session> sessions = new LinkedHashMap<>();
    private final List<OutboxMessage> outbox = new ArrayList<>();
    /** Every revocation, oldest first; kept when the user is deleted. */
    private final List<SessionRecord> revocations = new ArrayList<>();
    private final List<UserUpdate> userUpdates = new ArrayList<>();
    private final List<FaultSlot> faults = new ArrayList<>();
    private final Map<String, AtomicLong> requestCounts = new ConcurrentHashMap<>();
    private volatile HoldGate hold;

    /** New state, or the state saved in {@code store} (null: memory only). */
    State(Clock clock, Ids ids, String projectId, Store store) {
        this.clock = clock;
        this.ids = ids;
        this.projectId = projectId;
        this.store = store;
        Optional<Store.Snapshot> saved = store == null ? Optional.empty() : store.load();
        if (saved.isPresent()) {
            Store.Snapshot snapshot = saved.get();
            if (!projectId.equals(snapshot.projectId())) {
                throw new IllegalStateException("data directory [" + store.dir() + "] holds project ["
                        + snapshot.projectId() + "], not [" + projectId + "]");
            }
            this.keys = SigningKeys.restore(ids.environment(), snapshot.signingKeys());
            restore(snapshot);
        } else {
            this.keys = SigningKeys.generate(ids.environment());
        }
        tx(() -> null); // saves a new directory's keys at once
    }

    /** Runs {@code work} holding the state lock; with a data directory, saves any change. */
    public <T> T tx(Supplier<T> work) {
        synchronized (lock) {
            txDepth++;
            try {
                return work.get();
            } finally {
                txDepth--;
                if (txDepth == 0 && store != null) {
                    store.save(snapshot());
                }
            }
        }
    }

    /** Runs {@code work} holding the state lock, for work that changes nothing that is saved. */
    private <T> T locked(Supplier<T> work) {
        synchronized (lock) {
            return work.get();
        }
    }

    /** The current time, to the second (Stytch timestamps carry no fraction). */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    Ids ids() {
        return ids;
    }

    SigningKeys keys() {
        return keys;
    }

    // ---- users ----

    /** The user with this user_id or external_id, or 404 {@code user_not_found}. */
    Model.User user(String idOrExternalId) {
        return findUser(idOrExternalId).orElseThrow(ApiException::userNotFound);
    }

    Optional<Model.User> findUser(String idOrExternalId) {
        if (idOrExternalId == null) {
            return Optional.empty();
        }
        Model.User byId = users.get(idOrExternalId);
        if (byId != null) {
            return Optional.of(byId);
        }
        return users.values().stream().filter(u -> idOrExternalId.equals(u.externalId)).findFirst();
    }

    Optional<Model.User> userByEmail(String email) {
        return users.values().stream().filter(u -> u.email(email) != null).findFirst();
    }

    Optional<Model.User> userByPhone(String phone) {
        return users.values().stream().filter(u -> u.phone(phone) != null).findFirst();
    }

    Model.User newUser(String status) {
        Model.User user = new Model.User(ids.id("user"), now(), status);
        users.put(user.userId, user);
        return user;
    }

    Model.Email addEmail(Model.User user, String email, boolean verified) {
        Model.Email e = new Model.Email(ids.id("email"), email, verified);
        user.emails.add(e);
        return e;
    }

    Model.Phone addPhone(Model.User user, String phone, boolean verified) {
        Model.Phone p = new Model.Phone(ids.id("phone-number"), phone, verified);
        user.phones.add(p);
        return p;
    }

    void deleteUser(Model.User user) {
        users.remove(user.userId);
        sessions.values().removeIf(s -> s.userId.equals(user.userId));
        magicTokens.values().removeIf(t -> t.userId.equals(user.userId));
        oauthTokens.values().removeIf(t -> t.userId.equals(user.userId));
        otps.values().removeIf(o -> o.userId.equals(user.userId));
    }

    public List<Model.User> usersSnapshot() {
        return locked(() -> List.copyOf(users.values()));
    }

    void recordUserUpdate(UserUpdate update) {
        userUpdates.add(update);
    }

    /** users.update calls, oldest first; only those that resolved to {@code userId} unless it is null. */
    public List<UserUpdate> userUpdates(String userId) {
        return locked(() -> userUpdates.stream().filter(u -> userId == null || userId.equals(u.userId())).toList());
    }

    // ---- sessions ----

    Optional<Model.Session> liveSessionByToken(String token) {
        return sessions.values().stream()
                .filter(s -> s.token.equals(token) && s.liveAt(now()))
                .findFirst();
    }

    Optional<Model.Session> liveSessionById(String sessionId) {
        Model.Session s = sessionId == null ? null : sessions.get(sessionId);
        return s != null && s.liveAt(now()) ? Optional.of(s) : Optional.empty();
    }

    /** Marks the session revoked and logs it; it never authenticates again. Call inside tx. */
    void revoke(Model.Session session, String via) {
        session.revokedAt = now();
        session.revokedVia = via;
        revocations.add(record(session));
    }

    /** One session, revoked ones included (not those of deleted users). */
    public Optional<SessionRecord> sessionRecord(String sessionId) {
        return locked(() -> Optional.ofNullable(sessions.get(sessionId)).map(State::record));
    }

    /** All sessions, oldest first; only those of {@code userId} unless it is null. */
    public List<SessionRecord> sessionRecords(String userId) {
        return locked(() -> sessions.values().stream().filter(s -> userId == null || s.userId.equals(userId))
                .map(State::record).toList());
    }

    /** Every revocation, oldest first. */
    public List<SessionRecord> revocations() {
        return locked(() -> List.copyOf(revocations));
    }

    static SessionRecord record(Model.Session s) {
        return new SessionRecord(s.sessionId, s.userId, s.startedAt, s.expiresAt, s.revokedAt, s.revokedVia);
    }

    // ---- outbox ----

    void send(OutboxMessage message) {
        outbox.add(message);
    }

    /** Messages to this address (case-insensitive), oldest first; all messages when {@code to} is null. */
    public List<OutboxMessage> outbox(String to) {
        return locked(() -> outbox.stream().filter(m -> to == null || m.to().equalsIgnoreCase(to)).toList());
    }

    /**
     * For the inbox page: the magic links that no longer log anyone in, token to {@code used} or {@code expired}.
     * A link refused for its PKCE verifier is neither: it still works in the browser that asked for it.
     */
    Map<String, String> spentMagicLinks() {
        Instant now = now();
        return locked(() -> {
            Map<String, String> spent = new HashMap<>();
            magicTokens.values().forEach(t -> {
                if (t.used) {
                    spent.put(t.token, "used");
                } else if (!t.expiresAt.isAfter(now)) {
                    spent.put(t.token, "expired");
                }
            });
            return spent;
        });
    }

    // ---- faults, holds and counters ----

    public void addFault(Fault fault) {
        locked(() -> faults.add(new FaultSlot(fault, fault.times())));
    }

    /** Takes one use of the first fault for this path, if any. */
    public Optional<Fault> takeFault(String path) {
        return locked(() -> {
            for (Iterator<FaultSlot> it = faults.iterator(); it.hasNext(); ) {
                FaultSlot slot = it.next();
                if (slot.fault.path().equals(path)) {
                    if (--slot.remaining <= 0) {
                        it.remove();
                    }
                    return Optional.of(slot.fault);
                }
            }
            return Optional.empty();
        });
    }

    /** The current hold, or null. */
    public HoldGate hold() {
        return hold;
    }

    /** Installs a hold; a previous one lets its waiting answers go. */
    public void setHold(HoldGate gate) {
        HoldGate previous;
        synchronized (lock) {
            previous = hold;
            hold = gate;
        }
        if (previous != null) {
            previous.release();
        }
    }

    public void countRequest(String path) {
        requestCounts.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
    }

    public long requestCount(String path) {
        AtomicLong count = requestCounts.get(path);
        return count == null ? 0 : count.get();
    }

    /** Forgets users, tokens, sessions, messages, records, faults, holds and counters; keeps the keys. */
    public void reset() {
        setHold(null);
        tx(() -> {
            users.clear();
            magicTokens.clear();
            oauthTokens.clear();
            otps.clear();
            sessions.clear();
            outbox.clear();
            revocations.clear();
            userUpdates.clear();
            faults.clear();
            requestCounts.clear();
            return null;
        });
    }

    // ---- the data directory ----

    private Store.Snapshot snapshot() {
        return new Store.Snapshot(Store.VERSION, projectId, keys.snapshot(), List.copyOf(users.values()),
                List.copyOf(sessions.values()), List.copyOf(magicTokens.values()), List.copyOf(oauthTokens.values()),
                List.copyOf(otps.values()), List.copyOf(outbox), List.copyOf(revocations), List.copyOf(userUpdates));
    }

    private void restore(Store.Snapshot s) {
        s.users().forEach(u -> users.put(u.userId, u));
        s.sessions().forEach(x -> sessions.put(x.sessionId, x));
        s.magicTokens().forEach(t -> magicTokens.put(t.token, t));
        s.oauthTokens().forEach(t -> oauthTokens.put(t.token, t));
        s.otps().forEach(o -> otps.put(o.methodId, o));
        outbox.addAll(s.outbox());
        revocations.addAll(s.revocations());
        userUpdates.addAll(s.userUpdates());
    }

    private static final class FaultSlot {
        final Fault fault;
        int remaining;

        FaultSlot(Fault fault, int remaining) {
            this.fault = fault;
            this.remaining = remaining;
        }
    }
}
