package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.lang.JoseException;

/**
 * The RSA keys that sign session JWTs, oldest first. The newest signs; all of them are served in
 * the JWKS until dropped, as Stytch serves an old key beside the new one for a while after a
 * rotation. Each carries a self-signed certificate, so the JWKS has the {@code x5c} and
 * {@code x5tS256} the SDK's typed {@code getJWKS()} requires, made when first needed (it costs
 * BouncyCastle's start-up, which the emulator's own start skips). Only touched under the state lock.
 */
final class SigningKeys {

    private final String environment;
    private final List<RsaJsonWebKey> keys = new ArrayList<>();

    private SigningKeys(String environment) {
        this.environment = environment;
    }

    /** One fresh key. */
    static SigningKeys generate(String environment) {
        SigningKeys keys = new SigningKeys(environment);
        keys.keys.add(newKey(environment));
        return keys;
    }

    /** Keys as {@link #snapshot()} wrote them (private parts and certificate included). */
    static SigningKeys restore(String environment, List<Map<String, Object>> saved) {
        if (saved == null || saved.isEmpty()) {
            throw new IllegalStateException("the saved state has no signing key");
        }
        SigningKeys keys = new SigningKeys(environment);
        for (Map<String, Object> params : saved) {
            try {
                RsaJsonWebKey key = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(params);
                if (key.getPrivateKey() == null || key.getLeafCertificate() == null) {
                    throw new IllegalStateException("saved signing key [" + key.getKeyId()
                            + "] lacks its private key or certificate");
                }
                keys.keys.add(key);
            } catch (JoseException | ClassCastException e) {
                throw new IllegalStateException("cannot read a saved signing key", e);
            }
        }
        return keys;
    }

    /** The key that signs new JWTs. */
    RsaJsonWebKey current() {
        return keys.get(keys.size() - 1);
    }

    Optional<RsaJsonWebKey> byKid(String kid) {
        return keys.stream().filter(k -> k.getKeyId().equals(kid)).findFirst();
    }

    /** Key ids, oldest first; the last one signs. */
    List<String> kids() {
        return keys.stream().map(JsonWebKey::getKeyId).toList();
    }

    /** A new key signs from now on; the older ones stay in the JWKS. Returns the new kid. */
    String rotate() {
        RsaJsonWebKey key = newKey(environment);
        keys.add(key);
        return key.getKeyId();
    }

    /** Drops every key but the current one from the JWKS; returns the dropped kids. */
    List<String> dropOld() {
        List<String> dropped = new ArrayList<>(kids().subList(0, keys.size() - 1));
        keys.subList(0, keys.size() - 1).clear();
        return dropped;
    }

    /** The public keys as Stytch's JWKS lists them: kty, use, key_ops, alg, kid, x5c, x5tS256, n, e. */
    ArrayNode publicJwks(Instant now) {
        ArrayNode list = Json.array();
        for (RsaJsonWebKey key : keys) {
            X509Certificate certificate = certificate(key, now);
            Map<String, Object> pub = key.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            ObjectNode node = list.addObject();
            node.put("alg", key.getAlgorithm());
            node.put("e", (String) pub.get("e"));
            node.putArray("key_ops").add("verify");
            node.put("kid", key.getKeyId());
            node.put("kty", key.getKeyType());
            node.put("n", (String) pub.get("n"));
            node.put("use", key.getUse());
            try {
                node.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode a certificate", e);
            }
            node.put("x5tS256", Certificates.sha256Thumbprint(certificate));
        }
        return list;
    }

    /** The keys with their private parts and certificates, for the data directory. */
    List<Map<String, Object>> snapshot(Instant now) {
        return keys.stream().map(k -> {
            certificate(k, now);
            return k.toParams(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE);
        }).toList();
    }

    /** The key's self-signed certificate, made on first use. */
    private static X509Certificate certificate(RsaJsonWebKey key, Instant now) {
        if (key.getLeafCertificate() == null) {
            key.setCertificateChain(Certificates.selfSigned(key.getRsaPublicKey(), key.getRsaPrivateKey(),
                    "Stytch emulator " + key.getKeyId(), now));
        }
        return key.getLeafCertificate();
    }

    private static RsaJsonWebKey newKey(String environment) {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("jwk-" + environment + "-" + UUID.randomUUID());
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException("cannot generate an RSA signing key", e);
        }
    }
}
