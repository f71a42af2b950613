package io.github.stytchmigration.emulator.internal;

import java.util.List;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/** RS256 session JWTs signed with the current {@link SigningKeys} key, and their verification (jose4j). */
final class Jwts {

    static final String SESSION_CLAIM = "https://stytch.com/session";
    /** Session JWTs live five minutes, as Stytch's do. */
    static final long JWT_LIFETIME_SECONDS = 300;

    private final SigningKeys keys;
    private final String projectId;
    private final String issuer;

    Jwts(String projectId, SigningKeys keys) {
        this.projectId = projectId;
        this.issuer = "stytch.com/" + projectId;
        this.keys = keys;
    }

    SigningKeys keys() {
        return keys;
    }

    /** Signs a session JWT: iat = nbf = now, exp = now + 300 s. */
    String sign(Model.Session session, long nowEpochSeconds) {
        return sign(session, nowEpochSeconds, nowEpochSeconds + JWT_LIFETIME_SECONDS);
    }

    /** Signs a session JWT with the given iat (also nbf) and exp, e.g. one already expired. */
    String sign(Model.Session session, long issuedAtEpochSeconds, long expiresAtEpochSeconds) {
        RsaJsonWebKey key = keys.current();
        JwtClaims claims = new JwtClaims();
        for (Map.Entry<String, Object> custom : session.customClaims.entrySet()) {
            claims.setClaim(custom.getKey(), custom.getValue());
        }
        claims.setIssuer(issuer);
        claims.setAudience(List.of(projectId));
        claims.setSubject(session.userId);
        claims.setIssuedAt(NumericDate.fromSeconds(issuedAtEpochSeconds));
        claims.setNotBefore(NumericDate.fromSeconds(issuedAtEpochSeconds));
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAtEpochSeconds));
        claims.setClaim(SESSION_CLAIM, Json.MAPPER.convertValue(sessionClaim(session), Map.class));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a session JWT", e);
        }
    }

    /**
     * Signs any payload with the current key, header {@code {alg: RS256, kid, typ: JWT}}: genuine
     * signatures over claims Stytch would never issue (another audience or issuer), for tests of the
     * checks a verifier makes beyond the signature.
     */
    String signPayload(String payloadJson) {
        RsaJsonWebKey key = keys.current();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payloadJson);
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a payload", e);
        }
    }

    private static Object sessionClaim(Model.Session s) {
        var node = Json.object();
        node.put("id", s.sessionId);
        node.put("started_at", Views.time(s.startedAt));
        node.put("last_accessed_at", Views.time(s.lastAccessedAt));
        node.put("expires_at", Views.time(s.expiresAt));
        node.putObject("attributes").put("ip_address", "").put("user_agent", "");
        node.set("authentication_factors", Views.factors(s));
        node.putArray("roles");
        return node;
    }

    /**
     * The session id inside a JWT signed by one of the served keys (chosen by {@code kid}), checking
     * signature, issuer and audience but not {@code exp}: Stytch accepts an expired JWT while its
     * session is alive. Null when invalid, or signed by a key that was dropped.
     */
    String sessionIdOf(String jwt) {
        // Signature only here; the claims are checked below, without exp (see above).
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver((jws, nested) -> keys.byKid(jws.getKeyIdHeaderValue())
                        .orElseThrow(() -> new UnresolvableKeyException("unknown kid")).getPublicKey())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256)
                .setSkipAllValidators()
                .build();
        try {
            JwtClaims claims = consumer.processToClaims(jwt);
            if (!issuer.equals(claims.getIssuer()) || !claims.getAudience().contains(projectId)) {
                return null;
            }
            Object session = claims.getClaimValue(SESSION_CLAIM);
            if (session instanceof Map<?, ?> map && map.get("id") instanceof String id) {
                return id;
            }
            return null;
        } catch (InvalidJwtException | org.jose4j.jwt.MalformedClaimException e) {
            return null;
        }
    }
}
