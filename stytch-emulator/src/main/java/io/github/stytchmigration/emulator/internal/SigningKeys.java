package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.lang.JoseException;

/**
 * The RSA keys that sign session JWTs, oldest first. The newest signs; all of them are served in
 * the JWKS until dropped, as Stytch serves an old key beside the new one for a while after a
 * rotation. Each has a self-signed certificate, so the JWKS has the {@code x5c} and
 * {@code x5tS256} the SDK's typed {@code getJWKS()} requires.
 *
 * <p>Rotation happens under the state lock; reads may happen without it (the JWKS is served
 * lock-free), so the list is replaced, never changed. A certificate is made on first use, outside
 * the state lock: the first one costs BouncyCastle's start-up, which must not hold up other calls.
 */
final class SigningKeys {

    /** One key and, once made, its certificate. */
    private static final class Entry {
        final RsaJsonWebKey key;
        private volatile X509Certificate certificate;

        Entry(RsaJsonWebKey key, X509Certificate certificate) {
            this.key = key;
            this.certificate = certificate;
        }

        /** The certificate, made now when it is not yet. */
        synchronized X509Certificate certificate() {
            if (certificate == null) {
                certificate = Certificates.selfSigned(key.getRsaPublicKey(), key.getRsaPrivateKey(),
                        "Stytch emulator " + key.getKeyId(), Instant.now());
            }
            return certificate;
        }

        /** The certificate if it was made, else null; never waits. */
        X509Certificate certificateIfMade() {
            return certificate;
        }
    }

    private final String environment;
    private volatile List<Entry> entries;

    private SigningKeys(String environment, List<Entry> entries) {
        this.environment = environment;
        this.entries = List.copyOf(entries);
    }

    /** One fresh key. */
    static SigningKeys generate(String environment) {
        return new SigningKeys(environment, List.of(new Entry(newKey(environment), null)));
    }

    /** Keys as {@link #snapshot()} wrote them: private parts, and the certificate when it was made. */
    static SigningKeys restore(String environment, List<Map<String, Object>> saved) {
        if (saved == null || saved.isEmpty()) {
            throw new IllegalStateException("the saved state has no signing key");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map<String, Object> params : saved) {
            try {
                RsaJsonWebKey key = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(params);
                if (key.getPrivateKey() == null) {
                    throw new IllegalStateException("saved signing key [" + key.getKeyId() + "] lacks its private key");
                }
                entries.add(new Entry(key, key.getLeafCertificate()));
            } catch (JoseException | ClassCastException e) {
                throw new IllegalStateException("cannot read a saved signing key", e);
            }
        }
        return new SigningKeys(environment, entries);
    }

    /** The key that signs new JWTs. */
    RsaJsonWebKey current() {
        List<Entry> now = entries;
        return now.get(now.size() - 1).key;
    }

    Optional<RsaJsonWebKey> byKid(String kid) {
        return entries.stream().map(e -> e.key).filter(k -> k.getKeyId().equals(kid)).findFirst();
    }

    /** Key ids, oldest first; the last one signs. */
    List<String> kids() {
        return entries.stream().map(e -> e.key.getKeyId()).toList();
    }

    /** A new key signs from now on; the older ones stay in the JWKS. Returns the new kid. Under the state lock. */
    String rotate() {
        Entry added = new Entry(newKey(environment), null);
        List<Entry> next = new ArrayList<>(entries);
        next.add(added);
        entries = List.copyOf(next);
        return added.key.getKeyId();
    }

    /** Drops every key but the current one from the JWKS; returns the dropped kids. Under the state lock. */
    List<String> dropOld() {
        List<Entry> now = entries;
        entries = List.of(now.get(now.size() - 1));
        return now.subList(0, now.size() - 1).stream().map(e -> e.key.getKeyId()).toList();
    }

    /** Makes the certificates not made yet (e.g. on a background thread right after start). */
    void makeCertificates() {
        entries.forEach(Entry::certificate);
    }

    /**
     * The public keys as Stytch's JWKS lists them: kty, use, key_ops, alg, kid, x5c, x5tS256, n, e.
     * May make certificates: call without the state lock.
     */
    ArrayNode publicJwks() {
        ArrayNode list = Json.array();
        for (Entry entry : entries) {
            RsaJsonWebKey key = entry.key;
            byte[] der = der(entry.certificate());
            Map<String, Object> pub = key.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            ObjectNode node = list.addObject();
            node.put("alg", key.getAlgorithm());
            node.put("e", (String) pub.get("e"));
            node.putArray("key_ops").add("verify");
            node.put("kid", key.getKeyId());
            node.put("kty", key.getKeyType());
            node.put("n", (String) pub.get("n"));
            node.put("use", key.getUse());
            node.putArray("x5c").add(Base64.getEncoder().encodeToString(der));
            node.put("x5tS256", Certificates.sha256Thumbprint(der));
        }
        return list;
    }

    /** The keys with their private parts (and certificates, those made), for the data directory. */
    List<Map<String, Object>> snapshot() {
        List<Map<String, Object>> saved = new ArrayList<>();
        for (Entry entry : entries) {
            Map<String, Object> params = new LinkedHashMap<>(
                    entry.key.toParams(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
            X509Certificate certificate = entry.certificateIfMade();
            if (certificate != null) {
                params.put(PublicJsonWebKey.X509_CERTIFICATE_CHAIN_PARAMETER,
                        List.of(Base64.getEncoder().encodeToString(der(certificate))));
            }
            saved.add(params);
        }
        return saved;
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
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
