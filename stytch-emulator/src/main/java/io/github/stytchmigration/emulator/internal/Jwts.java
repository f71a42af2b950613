package io.github.stytchmigration.emulator.internal;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

/** The emulator's RSA signing key, its JWKS, and RS256 session JWTs (all through jose4j). */
final class Jwts {

    static final String SESSION_CLAIM = "https://stytch.com/session";
    /** Session JWTs live five minutes, as Stytch's do. */
    static final long JWT_LIFETIME_SECONDS = 300;

    private final RsaJsonWebKey key;
    private final String projectId;
    private final String issuer;

    Jwts(String projectId) {
        this.projectId = projectId;
        this.issuer = "stytch.com/" + projectId;
        try {
            key = RsaJwkGenerator.generateJwk(2048);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot generate the RSA signing key", e);
        }
        key.setKeyId("jwk-test-" + UUID.randomUUID());
        key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        key.setUse("sig");
    }

    /** The public JWKS as jose4j writes it: kty, kid, use, alg, n, e. */
    String publicJwksJson() {
        return new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    /** Signs a session JWT: iat = nbf = now, exp = now + 300 s. */
    String sign(Model.Session session, long nowEpochSeconds) {
        return sign(session, nowEpochSeconds, nowEpochSeconds + JWT_LIFETIME_SECONDS);
    }

    /** Signs a session JWT with the given iat (also nbf) and exp, e.g. one already expired. */
    String sign(Model.Session session, long issuedAtEpochSeconds, long expiresAtEpochSeconds) {
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
     * The session id inside a JWT this emulator signed, checking signature, issuer and audience
     * but not {@code exp}: Stytch accepts an expired JWT while its session is alive. Null when invalid.
     */
    String sessionIdOf(String jwt) {
        // Signature only here; the claims are checked below, without exp (see above).
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKey(key.getPublicKey())
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
