package io.github.stytchmigration.internal.jwt;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JWTs whose signature and claims were verified, by their full text, so that the cookie a browser
 * sends with every request costs one lookup. Bounded in entries (and, through the verifier's length
 * limit, in bytes); only genuine JWTs enter, so forged ones cannot evict anything faster than they
 * could be verified. Lookups never lock.
 */
final class VerifiedJwtCache {
    private final int maxEntries;
    private final ConcurrentHashMap<String, VerifiedJwt> entries = new ConcurrentHashMap<>();

    VerifiedJwtCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    VerifiedJwt get(String jwt) {
        return entries.get(jwt);
    }

    void put(String jwt, VerifiedJwt verified, long nowEpochSeconds) {
        if (entries.size() >= maxEntries) {
            evict(nowEpochSeconds);
        }
        entries.put(jwt, verified);
    }

    // First what can never be VALID again (past exp); if that is not enough, anything down to three quarters.
    private void evict(long nowEpochSeconds) {
        entries.values().removeIf(v -> v.expiresAt() < nowEpochSeconds);
        Iterator<String> it = entries.keySet().iterator();
        while (entries.size() > maxEntries * 3 / 4 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }
}
