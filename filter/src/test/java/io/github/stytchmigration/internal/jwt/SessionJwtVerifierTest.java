package io.github.stytchmigration.internal.jwt;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.github.stytchmigration.internal.jwt.TestKeys.KEY;
import static io.github.stytchmigration.internal.jwt.TestKeys.OTHER_KEY_SAME_KID;
import static io.github.stytchmigration.internal.jwt.TestKeys.ROTATED;
import static io.github.stytchmigration.internal.jwt.TestKeys.claims;
import static io.github.stytchmigration.internal.jwt.TestKeys.sign;
import static org.assertj.core.api.Assertions.assertThat;

class SessionJwtVerifierTest {
    private static final Instant NOW = Instant.parse("2025-10-01T09:41:40Z");

    private final StubFetcher fetcher = new StubFetcher(TestKeys.jwks(KEY));
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Instant now = NOW;
    private final SessionJwtVerifier verifier = new SessionJwtVerifier(TestKeys.PROJECT,
            Set.of(TestKeys.ISSUER, TestKeys.BASE_URL), new JwksCache(fetcher, nanos::get, 1000), 300,
            new Clock() {
                @Override
                public java.time.ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now;
                }
            });

    private JwtVerdict.Kind verify(String jwt) {
        return verifier.verify(jwt).kind();
    }

    @Test
    void acceptsAGenuineSessionJwtAndReadsItsSession() {
        JwtVerdict verdict = verifier.verify(sign(claims(NOW), KEY));
        assertThat(verdict.kind()).isEqualTo(JwtVerdict.Kind.VALID);
        assertThat(verdict.jwt().sessionId()).isEqualTo("session-test-1");
        assertThat(verdict.jwt().stytchUserId()).isEqualTo("user-test-1");
        assertThat(verdict.jwt().issuedAt()).isEqualTo(NOW.getEpochSecond());
        assertThat(verdict.jwt().sessionExpiresAt()).isEqualTo(NOW.plusSeconds(3600).getEpochSecond());
    }

    @Test
    void acceptsTheApiBaseUrlAsIssuerAndAStringAudience() {
        JwtClaims claims = claims(NOW);
        claims.setIssuer(TestKeys.BASE_URL);
        claims.setAudience(TestKeys.PROJECT);
        assertThat(verify(sign(claims, KEY))).isEqualTo(JwtVerdict.Kind.VALID);
        claims.setAudience(List.of("project-test-other", TestKeys.PROJECT));
        assertThat(verify(sign(claims, KEY))).as("extra audiences are fine").isEqualTo(JwtVerdict.Kind.VALID);
    }

    @Test
    void rejectsForgeriesWithoutAnyFetchBeyondTheFirst() {
        verify(sign(claims(NOW), KEY));
        assertThat(fetcher.calls.get()).isEqualTo(1);

        JwtClaims otherAudience = claims(NOW);
        otherAudience.setAudience("project-test-other");
        JwtClaims otherIssuer = claims(NOW);
        otherIssuer.setIssuer("stytch.com/project-test-other");
        JwtClaims noSession = claims(NOW);
        noSession.unsetClaim(SessionJwtVerifier.SESSION_CLAIM);
        JwtClaims noSubject = claims(NOW);
        noSubject.unsetClaim("sub");
        String genuine = sign(claims(NOW), KEY);
        List<String> forged = List.of(
                sign(claims(NOW), OTHER_KEY_SAME_KID),
                TestKeys.unsigned(claims(NOW), KEY.getKeyId()),
                TestKeys.hs256WithPublicKey(claims(NOW), KEY),
                sign(otherAudience, KEY),
                sign(otherIssuer, KEY),
                sign(noSession, KEY),
                sign(noSubject, KEY),
                sign(claims(NOW), KEY.getPrivateKey(), "RS256", KEY.getKeyId(), jws -> jws.setCriticalHeaderNames("exp")),
                sign(claims(NOW), KEY.getPrivateKey(), "RS384", KEY.getKeyId(), jws -> {
                }),
                sign(claims(NOW), KEY.getPrivateKey(), "RS256", null, jws -> {
                }),
                genuine.substring(0, genuine.length() - 10),
                genuine.substring(0, genuine.lastIndexOf('.')),
                genuine + "x",
                genuine.replace('.', '!'),
                "not a jwt",
                "a.b.c",
                "eyJhbGciOiJSUzI1NiJ9." + "A".repeat(100_000) + ".sig");
        for (String jwt : forged) {
            assertThat(verify(jwt)).as(jwt.length() > 80 ? jwt.substring(0, 80) : jwt).isEqualTo(JwtVerdict.Kind.INVALID);
        }
        assertThat(fetcher.calls.get()).as("a forgery with a known kid never refetches the JWKS").isEqualTo(1);
    }

    @Test
    void refusesAnOversizedJwtUnread() {
        String huge = sign(claims(NOW), KEY) + "A".repeat(SessionJwtVerifier.MAX_JWT_LENGTH);
        JwtVerdict verdict = verifier.verify(huge);
        assertThat(verdict.kind()).isEqualTo(JwtVerdict.Kind.INVALID);
        assertThat(verdict.reason()).startsWith("longer than");
        assertThat(fetcher.calls.get()).as("not even the keys are fetched").isZero();
    }

    @Test
    void tellsStaleFromInvalidByTime() {
        String jwt = sign(claims(NOW), KEY);
        now = NOW.plusSeconds(299);
        assertThat(verify(jwt)).isEqualTo(JwtVerdict.Kind.VALID);
        now = NOW.plusSeconds(300);
        JwtVerdict old = verifier.verify(jwt);
        assertThat(old.kind()).as("iat at the max age").isEqualTo(JwtVerdict.Kind.STALE);
        assertThat(old.jwt().sessionId()).isEqualTo("session-test-1");
        now = NOW.plusSeconds(3600);
        assertThat(verify(jwt)).as("long expired, still genuine").isEqualTo(JwtVerdict.Kind.STALE);

        now = NOW;
        JwtClaims future = claims(NOW.plusSeconds(60));
        assertThat(verify(sign(future, KEY))).as("issued in the future").isEqualTo(JwtVerdict.Kind.INVALID);
        JwtClaims notYet = claims(NOW);
        notYet.setNotBefore(org.jose4j.jwt.NumericDate.fromSeconds(NOW.getEpochSecond() + 60));
        assertThat(verify(sign(notYet, KEY))).as("nbf in the future").isEqualTo(JwtVerdict.Kind.INVALID);
        assertThat(verify(sign(claims(NOW.plusSeconds(SessionJwtVerifier.LEEWAY_SECONDS)), KEY)))
                .as("within the leeway").isEqualTo(JwtVerdict.Kind.VALID);
    }

    @Test
    void aJwtOfAnEndedSessionIsStale() {
        JwtClaims claims = claims(NOW);
        claims.setClaim(SessionJwtVerifier.SESSION_CLAIM, java.util.Map.of("id", "session-test-1",
                "expires_at", NOW.minusSeconds(1).toString()));
        assertThat(verify(sign(claims, KEY))).isEqualTo(JwtVerdict.Kind.STALE);
    }

    @Test
    void aRepeatedJwtCostsALookup() {
        String jwt = sign(claims(NOW), KEY);
        for (int i = 0; i < 5; i++) {
            assertThat(verify(jwt)).isEqualTo(JwtVerdict.Kind.VALID);
        }
        assertThat(verifier.cachedJwts()).isEqualTo(1);
        assertThat(fetcher.calls.get()).isEqualTo(1);
        verify(sign(claims(NOW), OTHER_KEY_SAME_KID));
        assertThat(verifier.cachedJwts()).as("forgeries are not cached").isEqualTo(1);
    }

    @Test
    void anUnknownKidRefetchesTheKeysAtMostOncePerInterval() {
        verify(sign(claims(NOW), KEY));
        assertThat(verify(sign(claims(NOW), KEY.getPrivateKey(), "RS256", "made-up", jws -> {
        }))).as("keys fetched a moment ago cannot tell").isEqualTo(JwtVerdict.Kind.UNVERIFIABLE);
        assertThat(fetcher.calls.get()).as("keys fetched a moment ago are not fetched again").isEqualTo(1);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(JwksCache.UNKNOWN_KID_REFETCH_INTERVAL_SECONDS));
        assertThat(verify(sign(claims(NOW), KEY.getPrivateKey(), "RS256", "made-up-0", jws -> {
        }))).as("refetched, and still unknown").isEqualTo(JwtVerdict.Kind.INVALID);
        for (int i = 1; i < 50; i++) {
            assertThat(verify(sign(claims(NOW), KEY.getPrivateKey(), "RS256", "made-up-" + i, jws -> {
            }))).isEqualTo(JwtVerdict.Kind.UNVERIFIABLE);
        }
        assertThat(fetcher.calls.get()).as("first fetch + one refetch").isEqualTo(2);

        fetcher.json = TestKeys.jwks(KEY, ROTATED);
        assertThat(verify(sign(claims(NOW), ROTATED))).as("within the interval the new kid is not fetched")
                .isEqualTo(JwtVerdict.Kind.UNVERIFIABLE);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(JwksCache.UNKNOWN_KID_REFETCH_INTERVAL_SECONDS));
        assertThat(verify(sign(claims(NOW), ROTATED))).as("a rotated key is picked up").isEqualTo(JwtVerdict.Kind.VALID);
        assertThat(fetcher.calls.get()).isEqualTo(3);
    }

    @Test
    void withoutKeysNothingVerifiesAndFailedFetchesAreRetriedSparingly() {
        fetcher.fail = true;
        String jwt = sign(claims(NOW), KEY);
        assertThat(verify(jwt)).isEqualTo(JwtVerdict.Kind.KEYS_UNAVAILABLE);
        assertThat(verify(jwt)).isEqualTo(JwtVerdict.Kind.KEYS_UNAVAILABLE);
        assertThat(fetcher.calls.get()).as("no second try within the retry interval").isEqualTo(1);

        fetcher.fail = false;
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(JwksCache.FAILED_FETCH_RETRY_SECONDS));
        assertThat(verify(jwt)).isEqualTo(JwtVerdict.Kind.VALID);
    }

    @Test
    void keepsUsingExpiredKeysWhileTheJwksCannotBeFetched() {
        assertThat(verify(sign(claims(NOW), KEY))).isEqualTo(JwtVerdict.Kind.VALID);
        fetcher.fail = true;
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(JwksCache.DEFAULT_MAX_AGE_SECONDS + 1));
        JwtClaims next = claims(NOW);
        next.setStringClaim("n", "2");
        assertThat(verify(sign(next, KEY))).isEqualTo(JwtVerdict.Kind.VALID);
        assertThat(fetcher.calls.get()).as("the expired set was refetched once, and failed").isEqualTo(2);
    }

    @Test
    void ignoresKeysThatAreNotRs256SigningKeys() throws Exception {
        org.jose4j.jwk.RsaJsonWebKey encryption = TestKeys.generate("kid-enc");
        encryption.setUse("enc");
        fetcher.json = TestKeys.jwks(KEY, encryption);
        assertThat(verify(sign(claims(NOW), encryption))).isEqualTo(JwtVerdict.Kind.INVALID);
        assertThat(JwksCache.parse(new JwksFetcher.Jwks(fetcher.json, 120), 0).keys).containsOnlyKeys("kid-1");
    }

    static final class StubFetcher implements JwksFetcher {
        volatile String json;
        volatile boolean fail;
        final AtomicInteger calls = new AtomicInteger();

        StubFetcher(String json) {
            this.json = json;
        }

        @Override
        public Jwks fetch() throws IOException {
            calls.incrementAndGet();
            if (fail) {
                throw new IOException("connect timed out");
            }
            return new Jwks(json, -1);
        }
    }
}
