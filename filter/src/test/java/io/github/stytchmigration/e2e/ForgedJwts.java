package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.StytchEmulator;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Session JWTs that must log nobody in, each built from a genuine one of the emulator: forged signatures,
 * the wrong algorithm, genuine signatures over the wrong claims, the wrong times, broken shapes.
 */
final class ForgedJwts {
    private ForgedJwts() {
    }

    /** Name → JWT; every one must be refused. Fetches the emulator's JWKS once (count it). */
    static Map<String, String> corpus(StytchEmulator emulator, FrontendSession session) throws Exception {
        String genuine = session.sessionJwt();
        String kid = emulator.signingKeyIds().get(emulator.signingKeyIds().size() - 1);
        RsaJsonWebKey published = publishedKey(emulator, kid);
        RsaJsonWebKey impostor = RsaJwkGenerator.generateJwk(2048);
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("other key, same kid", sign(claims(genuine), impostor.getPrivateKey(), AlgorithmIdentifiers.RSA_USING_SHA256, kid));
        forged.put("alg none", sign(claims(genuine), null, AlgorithmIdentifiers.NONE, kid));
        forged.put("HS256 keyed with the public key", sign(claims(genuine),
                new HmacKey(published.getPublicKey().getEncoded()), AlgorithmIdentifiers.HMAC_SHA256, kid));
        forged.put("other aud", emulator.signJwtPayload(edit(genuine, c -> c.setAudience("project-test-someone-else"))));
        forged.put("other iss", emulator.signJwtPayload(edit(genuine, c -> c.setIssuer("stytch.com/project-test-someone-else"))));
        forged.put("no session claim", emulator.signJwtPayload(edit(genuine, c -> c.unsetClaim("https://stytch.com/session"))));
        Instant now = Instant.now();
        forged.put("expired", emulator.mintSessionJwt(session.sessionId(), Duration.ofMinutes(10)));
        forged.put("too old, not expired", emulator.mintSessionJwt(session.sessionId(), now.minusSeconds(400), now.plusSeconds(60)));
        forged.put("not yet valid", emulator.mintSessionJwt(session.sessionId(), now.plusSeconds(600), now.plusSeconds(900)));
        forged.put("truncated", genuine.substring(0, genuine.length() - 12));
        forged.put("signature of another JWT", genuine.substring(0, genuine.lastIndexOf('.'))
                + forged.get("expired").substring(forged.get("expired").lastIndexOf('.')));
        forged.put("not a JWT", "hello");
        forged.put("100 KB", "eyJhbGciOiJSUzI1NiJ9." + "A".repeat(100 * 1024) + ".c2ln");
        return forged;
    }

    private static RsaJsonWebKey publishedKey(StytchEmulator emulator, String kid) throws Exception {
        HttpResponse<String> jwks = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(emulator.baseUrl() + "/v1/sessions/jwks/" + emulator.projectId())).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonWebKey key : new JsonWebKeySet(jwks.body()).getJsonWebKeys()) {
            if (kid.equals(key.getKeyId())) {
                return (RsaJsonWebKey) key;
            }
        }
        throw new IllegalStateException("kid " + kid + " not in the emulator's JWKS");
    }

    private static JwtClaims claims(String jwt) throws Exception {
        return JwtClaims.parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    private static String edit(String jwt, Consumer<JwtClaims> change) throws Exception {
        JwtClaims claims = claims(jwt);
        change.accept(claims);
        return claims.toJson();
    }

    private static String sign(JwtClaims claims, Key key, String alg, String kid) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(alg);
        jws.setKeyIdHeaderValue(kid);
        jws.setHeader("typ", "JWT");
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        jws.setDoKeyValidation(false);
        if (key != null) {
            jws.setKey(key);
        }
        return jws.getCompactSerialization();
    }
}
