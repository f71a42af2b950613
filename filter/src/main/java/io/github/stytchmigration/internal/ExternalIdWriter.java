package io.github.stytchmigration.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code writeExternalId}: after a login, makes the Stytch user's {@code external_id} equal to the internal user id
 * when it is not already, off the login's critical path, never failing it.
 * <ul>
 *   <li>Steady state (the id is already there, e.g. {@code ALREADY_LINKED} after the first write): nothing at all.</li>
 *   <li>A failed write (5xx, timeout, network) is logged once and counted; the next login of that user finds the
 *       id still missing and writes it then.</li>
 *   <li>An id that is not a valid external_id, or one Stytch refuses as taken by another user, is logged at WARN with
 *       both ids and remembered (at most {@value #MAX_REMEMBERED} pairs, least recently seen forgotten first), so it
 *       is not retried at every login.</li>
 *   <li>At most {@value #MAX_IN_FLIGHT} writes at once, one per Stytch user: beyond that a login skips the write
 *       (a later login makes it).</li>
 * </ul>
 */
public final class ExternalIdWriter {
    /** Stytch's external_id: 1..128 letters, digits, {@code . _ - |}. */
    static final Pattern VALID = Pattern.compile("[A-Za-z0-9._|-]{1,128}");
    static final int MAX_REMEMBERED = 10_000;
    static final int MAX_IN_FLIGHT = 64;
    private static final Logger LOG = LoggerFactory.getLogger(ExternalIdWriter.class);

    private final StytchAuthenticator stytch;
    private final MigrationMetrics metrics;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, String> refused = new LinkedHashMap<String, String>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    public ExternalIdWriter(StytchAuthenticator stytch, MigrationMetrics metrics) {
        this.stytch = stytch;
        this.metrics = metrics;
    }

    /**
     * Called after a successful login; returns at once.
     *
     * @param identity who logged in, with the external_id Stytch reported in the same answer
     * @param userId   the internal id the login ended on
     */
    public void afterLogin(StytchIdentity identity, String userId) {
        if (userId.equals(identity.externalId())) {
            return;
        }
        String stytchUserId = identity.stytchUserId();
        String pair = stytchUserId + '\n' + userId;
        synchronized (refused) {
            if (refused.containsKey(pair)) {
                LOG.debug("writeExternalId: external_id of Stytch user {} was refused before; not retried", stytchUserId);
                return;
            }
        }
        if (!VALID.matcher(userId).matches()) {
            remember(pair);
            metrics.externalIdRefused();
            LOG.warn("writeExternalId: internal id [{}] of Stytch user {} is not a valid external_id (1..128 letters,"
                    + " digits, '.', '_', '-', '|'); not written, not retried", shown(userId), stytchUserId);
            return;
        }
        if (inFlight.size() >= MAX_IN_FLIGHT || !inFlight.add(stytchUserId)) {
            LOG.debug("writeExternalId: a write for Stytch user {} (or {} writes) already in flight; a later login writes it",
                    stytchUserId, MAX_IN_FLIGHT);
            return;
        }
        stytch.writeExternalId(stytchUserId, userId).whenComplete((write, failure) -> {
            inFlight.remove(stytchUserId);
            ExternalIdWrite w = write != null ? write : ExternalIdWrite.failed(String.valueOf(failure));
            switch (w.status()) {
                case WRITTEN:
                    metrics.externalIdWritten();
                    LOG.debug("writeExternalId: set external_id [{}] on Stytch user {}", userId, stytchUserId);
                    break;
                case REFUSED:
                    remember(pair);
                    metrics.externalIdRefused();
                    LOG.warn("writeExternalId: Stytch refused external_id [{}] for Stytch user {} ({}{}); not retried",
                            userId, stytchUserId, w.detail(), "duplicate_user_external_id".equals(w.detail())
                                    ? ": another Stytch user holds it; find it with users.get(\"" + userId + "\")" : "");
                    break;
                case CANCELLED:
                    // an undeploy or shutdown, not a fault: nothing for an operator to look into
                    metrics.externalIdWriteFailed();
                    LOG.info("writeExternalId: external_id [{}] of Stytch user {} not written ({}); the user's next login"
                            + " writes it", userId, stytchUserId, w.detail());
                    break;
                default:
                    metrics.externalIdWriteFailed();
                    LOG.warn("writeExternalId: could not set external_id [{}] on Stytch user {}: {}; the user's next login"
                            + " tries again", userId, stytchUserId, w.detail());
            }
        });
    }

    private void remember(String pair) {
        synchronized (refused) {
            refused.put(pair, pair);
        }
    }

    // an app whose primary key is the email must not log it
    private static String shown(String userId) {
        return userId.indexOf('@') >= 0 ? Masking.maskIdentifier(userId) : userId;
    }
}
