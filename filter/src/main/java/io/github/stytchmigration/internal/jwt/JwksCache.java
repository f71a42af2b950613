package io.github.stytchmigration.internal.jwt;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.lang.JoseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.interfaces.RSAPublicKey;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The project's RSA verification keys by {@code kid}, fetched on first use and again when the set
 * expires or a JWT names a {@code kid} the set lacks. Refetches are rate-limited, so a flood of JWTs with
 * made-up {@code kid}s costs at most one fetch per {@link #UNKNOWN_KID_REFETCH_INTERVAL_SECONDS}.
 *
 * <p>A request thread waits for a fetch only when no keys were ever fetched; otherwise it uses the set it
 * has (even an expired one: Stytch keeps a key for months, a JWT lives minutes) while one thread fetches.
 */
public final class JwksCache {
    /** At most one refetch for an unknown {@code kid} this often. Stytch publishes a new key weeks before use. */
    public static final long UNKNOWN_KID_REFETCH_INTERVAL_SECONDS = 30;
    /** After a failed fetch, the next try waits this long. */
    public static final long FAILED_FETCH_RETRY_SECONDS = 5;
    /** How long a set is fresh when the answer has no {@code max-age} (Stytch sends 900). */
    static final long DEFAULT_MAX_AGE_SECONDS = 900;
    static final long MIN_MAX_AGE_SECONDS = 60;
    static final long MAX_MAX_AGE_SECONDS = 3600;
    /** RSA keys shorter than this are not accepted (jose4j's own floor for RS256). */
    static final int MIN_RSA_BITS = 2048;

    private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);

    private final JwksFetcher fetcher;
    private final LongSupplier nanoTime;
    private final long firstFetchWaitMillis;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile KeySet keys;
    // guarded by fetching
    private long lastAttemptNanos;
    private boolean attempted;
    private boolean lastFailed;

    /**
     * @param firstFetchWaitMillis how long a thread waits for another's fetch when no keys are cached yet
     */
    public JwksCache(JwksFetcher fetcher, LongSupplier nanoTime, long firstFetchWaitMillis) {
        this.fetcher = fetcher;
        this.nanoTime = nanoTime;
        this.firstFetchWaitMillis = firstFetchWaitMillis;
    }

    /**
     * The key with this {@code kid}, or null when the project has none: the key set was fetched again
     * for this lookup (or by another thread meanwhile) and still lacks it.
     *
     * @throws KeysUnavailableException no key set could ever be fetched
     * @throws KidNotYetKnownException  the kid is unknown, and the keys cannot be fetched again yet
     *                                  (rate limit, a failed fetch, another thread fetching): it may be a new key
     */
    RSAPublicKey key(String kid) throws KeysUnavailableException, KidNotYetKnownException {
        KeySet current = keys;
        long now = nanoTime.getAsLong();
        if (current != null && !current.expired(now)) {
            RSAPublicKey key = current.keys.get(kid);
            if (key != null) {
                return key;
            }
            KeySet after = refreshed(current, now, true);
            if (after == current) {
                throw new KidNotYetKnownException();
            }
            return after.keys.get(kid);
        }
        KeySet fresh = refreshed(current, now, false);
        if (fresh == null) {
            throw new KeysUnavailableException();
        }
        return fresh.keys.get(kid);
    }

    // Returns the newest set after at most one fetch by this thread; null when there never was one.
    private KeySet refreshed(KeySet seen, long now, boolean unknownKid) {
        if (!lock(seen == null)) {
            return seen;
        }
        try {
            KeySet current = keys;
            if (current != seen) {
                return current; // another thread fetched while this one looked
            }
            long wait = unknownKid ? UNKNOWN_KID_REFETCH_INTERVAL_SECONDS : lastFailed ? FAILED_FETCH_RETRY_SECONDS : 0;
            if (attempted && now - lastAttemptNanos < TimeUnit.SECONDS.toNanos(wait)) {
                return current;
            }
            attempted = true;
            lastAttemptNanos = now;
            try {
                KeySet fetched = parse(fetcher.fetch(), now);
                keys = fetched;
                lastFailed = false;
                LOG.debug("Fetched the Stytch JWKS: kids {}", fetched.keys.keySet());
                return fetched;
            } catch (IOException | JoseException | RuntimeException e) {
                lastFailed = true;
                LOG.warn("Could not fetch the Stytch JWKS from {} ({}); {}", fetcher, e.getMessage(), current == null
                        ? "session JWTs cannot be verified until it answers" : "the keys fetched earlier stay in use");
                return current;
            }
        } finally {
            fetching.unlock();
        }
    }

    // Without keys there is nothing to fall back on: wait (bounded) for the fetch in flight.
    private boolean lock(boolean mustWait) {
        if (!mustWait) {
            return fetching.tryLock();
        }
        try {
            return fetching.tryLock(firstFetchWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static KeySet parse(JwksFetcher.Jwks jwks, long nowNanos) throws JoseException {
        Map<String, RSAPublicKey> byKid = new HashMap<>();
        for (JsonWebKey key : new JsonWebKeySet(jwks.json()).getJsonWebKeys()) {
            if (key instanceof RsaJsonWebKey && key.getKeyId() != null
                    && (key.getAlgorithm() == null || AlgorithmIdentifiers.RSA_USING_SHA256.equals(key.getAlgorithm()))
                    && (key.getUse() == null || "sig".equals(key.getUse()))) {
                RSAPublicKey rsa = ((RsaJsonWebKey) key).getRsaPublicKey();
                if (rsa.getModulus().bitLength() >= MIN_RSA_BITS) {
                    byKid.put(key.getKeyId(), rsa);
                }
            }
        }
        if (byKid.isEmpty()) {
            throw new JoseException("the JWKS holds no RS256 signing key");
        }
        long maxAge = jwks.maxAgeSeconds() < 0 ? DEFAULT_MAX_AGE_SECONDS
                : Math.max(MIN_MAX_AGE_SECONDS, Math.min(MAX_MAX_AGE_SECONDS, jwks.maxAgeSeconds()));
        return new KeySet(Collections.unmodifiableMap(byKid), nowNanos + TimeUnit.SECONDS.toNanos(maxAge));
    }

    /** An immutable key set and when it stops being fresh. */
    static final class KeySet {
        final Map<String, RSAPublicKey> keys;
        private final long expiresAtNanos;

        KeySet(Map<String, RSAPublicKey> keys, long expiresAtNanos) {
            this.keys = keys;
            this.expiresAtNanos = expiresAtNanos;
        }

        boolean expired(long nowNanos) {
            return nowNanos - expiresAtNanos >= 0;
        }
    }

    /** A kid the cached keys lack, while they cannot be fetched again: neither valid nor proven forged. */
    static final class KidNotYetKnownException extends Exception {
        private static final long serialVersionUID = 1L;

        KidNotYetKnownException() {
            super("kid not in the cached JWKS, which cannot be refetched yet", null, false, false);
        }
    }

    /** No key set could be fetched yet: verification must wait for Stytch. */
    static final class KeysUnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        KeysUnavailableException() {
            super("no Stytch JWKS fetched yet", null, false, false);
        }
    }
}
