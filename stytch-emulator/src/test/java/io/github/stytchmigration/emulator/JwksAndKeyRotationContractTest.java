package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.stytch.java.common.ErrorResponse;
import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.consumer.models.sessions.AuthenticateRequest;
import com.stytch.java.consumer.models.sessions.GetJWKSRequest;
import com.stytch.java.consumer.models.sessions.GetJWKSResponse;
import com.stytch.java.consumer.models.sessions.JWK;
import com.stytch.java.consumer.models.sessions.Session;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwksAndKeyRotationContractTest extends SdkTestSupport {

    /** The SDK's JwksCache sets jose4j's refresh reprieve to 300 ms: no refetch sooner than that. */
    private static final long REFRESH_REPRIEVE_MILLIS = 300;

    @BeforeEach
    void startWithOneKey() {
        emulator.dropOldSigningKeys(); // reset keeps the keys; each test starts from a single one
    }

    private String jwksPath() {
        return "/v1/sessions/jwks/" + emulator.projectId();
    }

    private static String kidOf(String jwt) {
        String header = new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))),
                StandardCharsets.UTF_8);
        return header.replaceAll(".*\"kid\":\"([^\"]+)\".*", "$1");
    }

    private Session verifiedLocally(StytchClient sdk, String jwt) {
        return success(sdk.getSessions().authenticateJwtLocalCompletable(jwt, null, 0));
    }

    @Test
    void typedGetJwksParsesAndEachKeyCarriesItsSelfSignedCertificate() throws Exception {
        GetJWKSResponse jwks = success(client.getSessions().getJWKSCompletable(new GetJWKSRequest(emulator.projectId())));
        assertThat(jwks.getStatusCode()).isEqualTo(200);
        assertThat(jwks.getKeys()).extracting(JWK::getKid).containsExactlyElementsOf(emulator.signingKeyIds());
        for (JWK key : jwks.getKeys()) {
            assertThat(key.getKty()).isEqualTo("RSA");
            assertThat(key.getUse()).isEqualTo("sig");
            assertThat(key.getAlg()).isEqualTo("RS256");
            assertThat(key.getKeyOps()).containsExactly("verify");
            assertThat(key.getX5C()).hasSize(1);
            byte[] der = Base64.getDecoder().decode(key.getX5C().get(0));
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            certificate.verify(certificate.getPublicKey()); // self-signed
            RSAPublicKey publicKey = (RSAPublicKey) certificate.getPublicKey();
            assertThat(publicKey.getModulus()).isEqualTo(new BigInteger(1, Base64.getUrlDecoder().decode(key.getN())));
            assertThat(publicKey.getPublicExponent())
                    .isEqualTo(new BigInteger(1, Base64.getUrlDecoder().decode(key.getE())));
            assertThat(key.getX5TS256()).isEqualTo(Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(der)));
        }
    }

    @Test
    void localJwtVerificationStillAcceptsKeysThatCarryX5c() {
        // jose4j drops a JWK whose x5c is malformed or does not match n/e; then nothing verifies.
        FrontendSession session = emulator.startSessionForEmail("x5c@example.com");
        try (StytchClient fresh = newClient()) {
            Session local = verifiedLocally(fresh, session.sessionJwt());
            assertThat(local.getSessionId()).isEqualTo(session.sessionId());
        }
    }

    @Test
    void rotationSignsWithANewKidWhileTheOldKeyIsStillServed() throws Exception {
        FrontendSession before = emulator.startSessionForEmail("rot@example.com");
        String oldKid = kidOf(before.sessionJwt());
        verifiedLocally(client, before.sessionJwt()); // the client now holds the JWKS with the old key
        long fetches = emulator.requestCount(jwksPath());
        Thread.sleep(REFRESH_REPRIEVE_MILLIS + 100);

        String newKid = emulator.rotateSigningKey();
        assertThat(newKid).isNotEqualTo(oldKid);
        assertThat(emulator.signingKeyIds()).containsExactly(oldKid, newKid);
        FrontendSession after = emulator.startSessionForEmail("rot2@example.com");
        assertThat(kidOf(after.sessionJwt())).isEqualTo(newKid);

        // The unknown kid makes the SDK refetch the JWKS, and the new key verifies.
        assertThat(verifiedLocally(client, after.sessionJwt()).getSessionId()).isEqualTo(after.sessionId());
        assertThat(emulator.requestCount(jwksPath())).isGreaterThan(fetches);
        // The old key is still served: JWTs it signed verify, locally and at the API.
        assertThat(verifiedLocally(client, before.sessionJwt()).getSessionId()).isEqualTo(before.sessionId());
        success(client.getSessions().authenticateCompletable(
                new AuthenticateRequest(null, null, before.sessionJwt(), Map.of(), null)));
        GetJWKSResponse jwks = success(client.getSessions().getJWKSCompletable(new GetJWKSRequest(emulator.projectId())));
        assertThat(jwks.getKeys()).extracting(JWK::getKid).containsExactly(oldKid, newKid);
    }

    @Test
    void droppingOldKeysRetiresTheJwtsTheySigned() {
        FrontendSession before = emulator.startSessionForEmail("drop@example.com");
        String newKid = emulator.rotateSigningKey();

        assertThat(emulator.dropOldSigningKeys()).containsExactly(kidOf(before.sessionJwt()));
        assertThat(emulator.signingKeyIds()).containsExactly(newKid);
        try (StytchClient fresh = newClient()) {
            assertThat(criticalError(fresh.getSessions().authenticateJwtLocalCompletable(before.sessionJwt(), null, 0)))
                    .isNotNull();
            ErrorResponse gone = responseError(fresh.getSessions().authenticateCompletable(
                    new AuthenticateRequest(null, null, before.sessionJwt(), Map.of(), null)));
            assertThat(gone.getErrorType()).isEqualTo("session_not_found");
            // The session itself is fine: its token still authenticates and returns a JWT of the new key.
            var refreshed = success(fresh.getSessions().authenticateCompletable(
                    new AuthenticateRequest(before.sessionToken(), null, null, Map.of(), null)));
            assertThat(kidOf(refreshed.getSessionJWT())).isEqualTo(newKid);
            verifiedLocally(fresh, refreshed.getSessionJWT());
        }
    }

    @Test
    void keyEndpointsRotateListAndDrop() {
        JsonNode listed = httpOk("GET", "/emulator/keys", null);
        String current = listed.get("current").asText();
        assertThat(listed.get("kids")).hasSize(emulator.signingKeyIds().size());

        JsonNode rotated = httpOk("POST", "/emulator/keys/rotate", "{}");
        String newKid = rotated.get("current").asText();
        assertThat(newKid).isNotEqualTo(current);
        assertThat(rotated.get("kids").get(rotated.get("kids").size() - 1).asText()).isEqualTo(newKid);
        assertThat(httpOk("GET", jwksPath(), null).get("keys")).hasSize(rotated.get("kids").size());

        JsonNode dropped = httpOk("POST", "/emulator/keys/drop_old", "{}");
        assertThat(dropped.get("dropped").toString()).contains(current);
        assertThat(dropped.get("kids")).hasSize(1);
        assertThat(dropped.get("current").asText()).isEqualTo(newKid);
    }

    private StytchClient newClient() {
        return new StytchClient(emulator.projectId(), emulator.secret(), new OptionalClientConfig(emulator.baseUrl()));
    }
}
