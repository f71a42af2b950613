package io.github.stytchmigration.internal.jwt;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import java.security.Key;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** RSA keys and session JWTs shaped like Stytch's, genuine and forged, for the verifier's tests. */
public final class TestKeys {
    public static final String PROJECT = "project-test-00000000-0000-4000-8000-000000000000";
    public static final String ISSUER = "stytch.com/" + PROJECT;
    public static final String BASE_URL = "http://127.0.0.1:1";

    // generated once: 2048-bit keys take a while
    public static final RsaJsonWebKey KEY = generate("kid-1");
    public static final RsaJsonWebKey OTHER_KEY_SAME_KID = generate("kid-1");
    public static final RsaJsonWebKey ROTATED = generate("kid-2");

    private TestKeys() {
    }

    public static RsaJsonWebKey generate(String kid) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(kid);
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String jwks(RsaJsonWebKey... keys) {
        return new JsonWebKeySet(new ArrayList<>(Arrays.asList(keys))).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    /** Stytch's claims for session-test-1 of user-test-1, issued at {@code iat}, living 300 s. */
    public static JwtClaims claims(Instant iat) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(List.of(PROJECT));
        claims.setSubject("user-test-1");
        claims.setIssuedAt(NumericDate.fromSeconds(iat.getEpochSecond()));
        claims.setNotBefore(NumericDate.fromSeconds(iat.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(iat.getEpochSecond() + 300));
        claims.setClaim(SessionJwtVerifier.SESSION_CLAIM, Map.of("id", "session-test-1",
                "started_at", iat.toString(), "last_accessed_at", iat.toString(),
                "expires_at", iat.plusSeconds(3600).toString(), "authentication_factors", List.of(), "roles", List.of()));
        return claims;
    }

    public static String sign(JwtClaims claims, RsaJsonWebKey key) {
        return sign(claims, key.getPrivateKey(), AlgorithmIdentifiers.RSA_USING_SHA256, key.getKeyId(), jws -> {
        });
    }

    public static String sign(JwtClaims claims, Key key, String alg, String kid, Consumer<JsonWebSignature> tweak) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(alg);
        if (kid != null) {
            jws.setKeyIdHeaderValue(kid);
        }
        jws.setHeader("typ", "JWT");
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        tweak.accept(jws);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HS256 keyed with the bytes of the public key: the classic algorithm-confusion forgery. */
    public static String hs256WithPublicKey(JwtClaims claims, RsaJsonWebKey key) {
        return sign(claims, new HmacKey(key.getPublicKey().getEncoded()), AlgorithmIdentifiers.HMAC_SHA256,
                key.getKeyId(), jws -> {
                });
    }

    /** {@code alg: none}, no signature. */
    public static String unsigned(JwtClaims claims, String kid) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
