package io.github.stytchmigration.internal.jwt;

import java.io.IOException;

/** Fetches the project's JWKS once. The HTTP one is {@link HttpJwksFetcher}; tests use a stub. */
public interface JwksFetcher {
    /**
     * @return the JWKS document and how long it may be cached
     * @throws IOException unreachable, a timeout, a status other than 200, an oversized body
     */
    Jwks fetch() throws IOException;

    /** A fetched JWKS document and its {@code Cache-Control: max-age} in seconds (-1 when absent). */
    final class Jwks {
        private final String json;
        private final long maxAgeSeconds;

        public Jwks(String json, long maxAgeSeconds) {
            this.json = json;
            this.maxAgeSeconds = maxAgeSeconds;
        }

        public String json() {
            return json;
        }

        public long maxAgeSeconds() {
            return maxAgeSeconds;
        }
    }
}
