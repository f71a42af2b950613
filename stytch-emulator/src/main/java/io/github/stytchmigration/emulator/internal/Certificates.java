package io.github.stytchmigration.emulator.internal;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Self-signed X.509 certificates for the JWKS {@code x5c}, built with BouncyCastle (the JDK has no
 * public API for it). BouncyCastle is not registered as a JCA provider: the JDK's own RSA signs.
 */
final class Certificates {

    /** Long enough that no persisted emulator outlives its certificate. */
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private Certificates() {
    }

    /** A certificate for {@code publicKey}, signed by its own {@code privateKey} (SHA256withRSA). */
    static X509Certificate selfSigned(PublicKey publicKey, PrivateKey privateKey, String commonName, Instant now) {
        X500Name name = new X500Name("CN=" + commonName.replaceAll("[,=+<>#;\"\\\\]", "_"));
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                new BigInteger(1, Ids.randomBytes(16)), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)), name, publicKey);
        try {
            byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(privateKey)).getEncoded();
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (OperatorCreationException | GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot create a self-signed certificate", e);
        }
    }

    /** base64url (no padding) of the SHA-256 of a certificate's DER encoding: the JWK {@code x5t#S256}. */
    static String sha256Thumbprint(byte[] der) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hash a certificate", e);
        }
    }
}
