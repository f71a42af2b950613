package io.github.stytchmigration.internal.jwt;

import org.jose4j.base64url.Base64Url;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.JoseException;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies Stytch session JWTs locally, without a call to Stytch: what the SDK's
 * {@code authenticateJwtLocal} checks, made stricter and cheaper for untrusted input.
 * <ol>
 *   <li>Shape before any work: at most {@link #MAX_JWT_LENGTH} characters, three base64url parts, a
 *       small header;</li>
 *   <li>the header read by us: {@code alg} exactly {@code RS256} (so never {@code none}, HS* keyed with
 *       the public key, or another family), a {@code kid}, no {@code crit};</li>
 *   <li>the key of that {@code kid} from the project's JWKS ({@link JwksCache}), then the RS256 signature;</li>
 *   <li>claims: {@code iss} is {@code stytch.com/<project id>} or the API base URL, {@code aud} contains
 *       the project id, {@code sub}, {@code iat}, {@code exp} present, the
 *       {@code https://stytch.com/session} claim with {@code id} and {@code expires_at};</li>
 *   <li>times, at every use, with {@link #LEEWAY_SECONDS}: {@code nbf} and {@code iat} not in the future
 *       (else INVALID); past {@code exp}, {@code iat} older than {@code maxAgeSeconds}, or the session's
 *       {@code expires_at} passed: STALE.</li>
 * </ol>
 * Genuine JWTs are cached by their text ({@link #CACHE_MAX_ENTRIES}); the time checks are redone on
 * every lookup.
 */
public final class SessionJwtVerifier {
    /** Longer JWTs are refused unread. A browser keeps at most 4096 bytes per cookie. */
    public static final int MAX_JWT_LENGTH = 8192;
    /** Verified JWTs kept; at {@link #MAX_JWT_LENGTH} each the cache stays below 32 MB. */
    public static final int CACHE_MAX_ENTRIES = 4096;
    /** Clock skew allowed on {@code exp}, {@code nbf} and {@code iat}. */
    public static final long LEEWAY_SECONDS = 5;
    /** The claim that carries the Stytch session. */
    public static final String SESSION_CLAIM = "https://stytch.com/session";

    private static final int MAX_HEADER_LENGTH = 1024;
    private static final int MAX_ID_LENGTH = 256;
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final AlgorithmConstraints RS256_ONLY = new AlgorithmConstraints(
            AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256);

    private final String projectId;
    private final Set<String> issuers;
    private final JwksCache keys;
    private final long maxAgeSeconds;
    private final Clock clock;
    private final VerifiedJwtCache cache = new VerifiedJwtCache(CACHE_MAX_ENTRIES);

    /**
     * @param issuers       the accepted {@code iss} values: {@code stytch.com/<project id>} and the API base URL
     * @param maxAgeSeconds a JWT issued this long ago or more is STALE
     */
    public SessionJwtVerifier(String projectId, Set<String> issuers, JwksCache keys, long maxAgeSeconds, Clock clock) {
        this.projectId = projectId;
        this.issuers = Set.copyOf(issuers);
        this.keys = keys;
        this.maxAgeSeconds = maxAgeSeconds;
        this.clock = clock;
    }

    /**
     * The verifier of one project, its keys fetched from {@code {apiBaseUrl}/v1/sessions/jwks/{projectId}}.
     *
     * @param apiBaseUrl    the resolved API base URL ({@link StytchUrls#apiBaseUrl}), also an accepted issuer
     * @param timeoutMillis bound on connecting to, and on each read from, the JWKS endpoint
     */
    public static SessionJwtVerifier create(String projectId, String apiBaseUrl, long timeoutMillis, long maxAgeSeconds) {
        JwksCache keys = new JwksCache(new HttpJwksFetcher(apiBaseUrl, projectId, timeoutMillis), System::nanoTime,
                2 * timeoutMillis);
        return new SessionJwtVerifier(projectId, Set.of("stytch.com/" + projectId, apiBaseUrl), keys, maxAgeSeconds,
                Clock.systemUTC());
    }

    /** What this JWT is worth now. Never throws; never calls Stytch except for the rate-limited JWKS fetch. */
    public JwtVerdict verify(String jwt) {
        if (jwt == null || jwt.isEmpty()) {
            return JwtVerdict.invalid("empty");
        }
        if (jwt.length() > MAX_JWT_LENGTH) {
            return JwtVerdict.invalid("longer than " + MAX_JWT_LENGTH + " characters");
        }
        long now = clock.instant().getEpochSecond();
        VerifiedJwt cached = cache.get(jwt);
        if (cached != null) {
            return judge(cached, now);
        }
        JwtVerdict verdict = verifyUncached(jwt);
        if (verdict.jwt() != null) {
            cache.put(jwt, verdict.jwt(), now);
            return judge(verdict.jwt(), now);
        }
        return verdict;
    }

    private JwtVerdict verifyUncached(String jwt) {
        if (!SHAPE.matcher(jwt).matches()) {
            return JwtVerdict.invalid("not three base64url parts");
        }
        int dot = jwt.indexOf('.');
        if (dot > MAX_HEADER_LENGTH) {
            return JwtVerdict.invalid("header longer than " + MAX_HEADER_LENGTH + " characters");
        }
        String kid;
        try {
            Map<String, Object> header = JsonUtil.parseJson(new String(Base64Url.decode(jwt.substring(0, dot)),
                    StandardCharsets.UTF_8));
            if (!AlgorithmIdentifiers.RSA_USING_SHA256.equals(header.get("alg"))) {
                return JwtVerdict.invalid("alg is not RS256");
            }
            if (!(header.get("kid") instanceof String) || ((String) header.get("kid")).isEmpty()
                    || ((String) header.get("kid")).length() > MAX_ID_LENGTH) {
                return JwtVerdict.invalid("no usable kid");
            }
            if (header.containsKey("crit")) {
                return JwtVerdict.invalid("crit header");
            }
            kid = (String) header.get("kid");
        } catch (JoseException | RuntimeException e) {
            return JwtVerdict.invalid("header is not JSON");
        }
        RSAPublicKey key;
        try {
            key = keys.key(kid);
        } catch (JwksCache.KeysUnavailableException e) {
            return JwtVerdict.keysUnavailable();
        } catch (JwksCache.KidNotYetKnownException e) {
            return JwtVerdict.unverifiable();
        }
        if (key == null) {
            return JwtVerdict.invalid("kid unknown to the project's JWKS");
        }
        String payload;
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmConstraints(RS256_ONLY);
            jws.setCompactSerialization(jwt);
            jws.setKey(key);
            if (!jws.verifySignature()) {
                return JwtVerdict.invalid("signature does not verify");
            }
            payload = jws.getUnverifiedPayload();
        } catch (JoseException | RuntimeException e) {
            return JwtVerdict.invalid("signature cannot be checked");
        }
        return claims(payload);
    }

    private JwtVerdict claims(String payload) {
        try {
            JwtClaims claims = JwtClaims.parse(payload);
            if (!issuers.contains(claims.getIssuer())) {
                return JwtVerdict.invalid("iss is not this project's");
            }
            List<String> audience = claims.hasAudience() ? claims.getAudience() : List.of();
            if (!audience.contains(projectId)) {
                return JwtVerdict.invalid("aud does not contain the project id");
            }
            String subject = claims.getSubject();
            NumericDate issuedAt = claims.getIssuedAt();
            NumericDate expiresAt = claims.getExpirationTime();
            NumericDate notBefore = claims.getNotBefore();
            if (!id(subject) || issuedAt == null || expiresAt == null) {
                return JwtVerdict.invalid("sub, iat or exp missing");
            }
            Object session = claims.getClaimValue(SESSION_CLAIM);
            if (!(session instanceof Map)) {
                return JwtVerdict.invalid("no session claim");
            }
            Object sessionId = ((Map<?, ?>) session).get("id");
            Object sessionExpiresAt = ((Map<?, ?>) session).get("expires_at");
            if (!(sessionId instanceof String) || !id((String) sessionId) || !(sessionExpiresAt instanceof String)) {
                return JwtVerdict.invalid("session claim without id or expires_at");
            }
            return JwtVerdict.stale(new VerifiedJwt((String) sessionId, subject, issuedAt.getValue(),
                    notBefore == null ? Long.MIN_VALUE : notBefore.getValue(), expiresAt.getValue(),
                    Instant.parse((String) sessionExpiresAt).getEpochSecond()), "unjudged");
        } catch (InvalidJwtException | MalformedClaimException | DateTimeParseException | ArithmeticException e) {
            return JwtVerdict.invalid("claims malformed");
        }
    }

    private static boolean id(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_ID_LENGTH;
    }

    // The time checks, redone at every use of a cached JWT.
    private JwtVerdict judge(VerifiedJwt jwt, long now) {
        if (jwt.notBefore() > now + LEEWAY_SECONDS || jwt.issuedAt() > now + LEEWAY_SECONDS) {
            return JwtVerdict.invalid("not yet valid");
        }
        if (now >= jwt.expiresAt() + LEEWAY_SECONDS) {
            return JwtVerdict.stale(jwt, "expired");
        }
        if (now - jwt.issuedAt() >= maxAgeSeconds) {
            return JwtVerdict.stale(jwt, "older than sessionJwtMaxAgeSeconds");
        }
        if (now >= jwt.sessionExpiresAt()) {
            return JwtVerdict.stale(jwt, "its session's expires_at has passed");
        }
        return JwtVerdict.valid(jwt);
    }

    /** The number of cached verified JWTs, for tests. */
    int cachedJwts() {
        return cache.size();
    }
}
