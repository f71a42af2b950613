package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stytch.java.common.ErrorResponse;
import com.stytch.java.common.JWTException;
import com.stytch.java.consumer.models.sessions.AuthenticateRequest;
import com.stytch.java.consumer.models.sessions.AuthenticateResponse;
import com.stytch.java.consumer.models.sessions.AuthenticationFactorType;
import com.stytch.java.consumer.models.sessions.RevokeRequest;
import com.stytch.java.consumer.models.sessions.Session;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrontendSessionsContractTest extends SdkTestSupport {

    private AuthenticateResponse byToken(String token, Integer minutes) {
        return success(client.getSessions().authenticateCompletable(
                new AuthenticateRequest(token, minutes, null, Map.of(), null)));
    }

    private ErrorResponse byTokenFails(String token) {
        return responseError(client.getSessions().authenticateCompletable(
                new AuthenticateRequest(token, null, null, Map.of(), null)));
    }

    private AuthenticateResponse byJwt(String jwt) {
        return success(client.getSessions().authenticateCompletable(
                new AuthenticateRequest(null, null, jwt, Map.of(), null)));
    }

    private ErrorResponse byJwtFails(String jwt) {
        return responseError(client.getSessions().authenticateCompletable(
                new AuthenticateRequest(null, null, jwt, Map.of(), null)));
    }

    private static JsonNode claims(String jwt) throws Exception {
        String payload = jwt.split("\\.")[1];
        return new ObjectMapper().readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }

    @Test
    void sessionForANewEmailAuthenticatesAsIfTheFrontendSdkHadLoggedIn() {
        FrontendSession s = emulator.startSessionForEmail("Front@Example.com");
        assertThat(s.sessionId()).startsWith("session-test-");
        assertThat(s.userId()).startsWith("user-test-");
        assertThat(s.sessionToken()).hasSize(43);

        AuthenticateResponse checked = byToken(s.sessionToken(), null);
        assertThat(checked.getSession().getSessionId()).isEqualTo(s.sessionId());
        assertThat(checked.getUser().getUserId()).isEqualTo(s.userId());
        assertThat(checked.getUser().getEmails()).singleElement().satisfies(e -> {
            assertThat(e.getEmail()).isEqualTo("front@example.com");
            assertThat(e.getVerified()).isTrue();
        });
        assertThat(checked.getSession().getAuthenticationFactors()).singleElement()
                .satisfies(f -> assertThat(f.getType()).isEqualTo(AuthenticationFactorType.MAGIC_LINK));
        assertThat(checked.getSession().getExpiresAt())
                .isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));

        Session local = success(client.getSessions().authenticateJwtLocalCompletable(s.sessionJwt(), 300, 0));
        assertThat(local.getSessionId()).isEqualTo(s.sessionId());
        assertThat(local.getUserId()).isEqualTo(s.userId());
    }

    @Test
    void sessionForAnExistingUserUsesItsVerifiedEmailAndTheGivenDuration() {
        String userId = emulator.createUser("old@example.com", true, null, false);
        FrontendSession s = emulator.startSession(userId, 30);
        assertThat(s.userId()).isEqualTo(userId);
        AuthenticateResponse checked = byToken(s.sessionToken(), null);
        assertThat(checked.getSession().getAuthenticationFactors().get(0).getEmailFactor().getEmailAddress())
                .isEqualTo("old@example.com");
        assertThat(checked.getSession().getExpiresAt()).isBefore(Instant.now().plus(Duration.ofMinutes(31)));
        // The same email later gets a second session of the same user.
        assertThat(emulator.startSessionForEmail("old@example.com").userId()).isEqualTo(userId);
        assertThatThrownBy(() -> emulator.startSession("user-test-nobody"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("user_not_found");
    }

    @Test
    void agedJwtIsTooOldLocallyAndTheApiAnswersAFreshOne() throws Exception {
        FrontendSession s = emulator.startSessionForEmail("aged@example.com");
        String tenMinutesOld = emulator.mintSessionJwt(s.sessionId(), Duration.ofMinutes(10));
        JsonNode claims = claims(tenMinutesOld);
        long now = Instant.now().getEpochSecond();
        assertThat(claims.get("iat").asLong()).isBetween(now - 602, now - 598);
        assertThat(claims.get("exp").asLong()).isEqualTo(claims.get("iat").asLong() + 300);
        assertThat(claims.get("nbf").asLong()).isEqualTo(claims.get("iat").asLong());

        // Expired by exp: the SDK's local check refuses it, and with max age it is too old as well.
        assertThat(criticalError(client.getSessions().authenticateJwtLocalCompletable(tenMinutesOld, null, 0)))
                .isInstanceOf(JWTException.JwtError.class);
        String notYetExpiredButOld = emulator.mintSessionJwt(s.sessionId(), Instant.now().minusSeconds(400),
                Instant.now().plusSeconds(200));
        assertThat(criticalError(client.getSessions().authenticateJwtLocalCompletable(notYetExpiredButOld, 300, 0)))
                .isInstanceOf(JWTException.JwtTooOld.class);

        // Stytch accepts an expired JWT of a live session and returns a fresh one.
        AuthenticateResponse refreshed = byJwt(tenMinutesOld);
        assertThat(refreshed.getSession().getSessionId()).isEqualTo(s.sessionId());
        assertThat(claims(refreshed.getSessionJWT()).get("iat").asLong()).isGreaterThanOrEqualTo(now);
        success(client.getSessions().authenticateJwtLocalCompletable(refreshed.getSessionJWT(), 300, 0));
    }

    @Test
    void revokedSessionIsNotFoundButItsJwtStillVerifiesLocallyUntilExp() {
        FrontendSession s = emulator.startSessionForEmail("revoke@example.com");
        Instant before = Instant.now().minusSeconds(1);
        SessionRecord record = emulator.revokeSession(s.sessionId());
        assertThat(record.revoked()).isTrue();
        assertThat(record.revokedVia()).isEqualTo(SessionRecord.VIA_EMULATOR);

        assertThat(byTokenFails(s.sessionToken()).getErrorType()).isEqualTo("session_not_found");
        ErrorResponse byJwt = byJwtFails(s.sessionJwt());
        assertThat(byJwt.getStatusCode()).isEqualTo(404);
        assertThat(byJwt.getErrorType()).isEqualTo("session_not_found");
        // As Stytch documents: a JWT validates locally for its 5 minutes even after a revoke.
        success(client.getSessions().authenticateJwtLocalCompletable(s.sessionJwt(), null, 0));

        assertThat(emulator.session(s.sessionId())).hasValueSatisfying(r -> {
            assertThat(r.revokedAt()).isAfter(before);
            assertThat(r.userId()).isEqualTo(s.userId());
        });
        assertThatThrownBy(() -> emulator.revokeSession(s.sessionId()))
                .hasMessageStartingWith("session_not_found");
    }

    @Test
    void revocationsThroughTheApiAreRecordedWithTheirTime() {
        FrontendSession kept = emulator.startSessionForEmail("kept@example.com");
        FrontendSession orphan = emulator.startSessionForEmail("orphan@example.com");
        assertThat(emulator.revocations()).isEmpty();

        success(client.getSessions().revokeCompletable(new RevokeRequest(orphan.sessionId())));

        assertThat(emulator.revocations()).singleElement().satisfies(r -> {
            assertThat(r.sessionId()).isEqualTo(orphan.sessionId());
            assertThat(r.userId()).isEqualTo(orphan.userId());
            assertThat(r.revokedVia()).isEqualTo(SessionRecord.VIA_API);
            assertThat(r.revokedAt()).isBetween(Instant.now().minusSeconds(5), Instant.now().plusSeconds(1));
        });
        assertThat(emulator.session(kept.sessionId())).hasValueSatisfying(r -> assertThat(r.revoked()).isFalse());
        assertThat(emulator.sessions(orphan.userId())).singleElement()
                .satisfies(r -> assertThat(r.revoked()).isTrue());
        // Deleting the user keeps the record of the revocation.
        success(client.getUsers().deleteCompletable(
                new com.stytch.java.consumer.models.users.DeleteRequest(orphan.userId())));
        assertThat(emulator.revocations()).extracting(SessionRecord::sessionId).containsExactly(orphan.sessionId());
    }

    @Test
    void expiredSessionIsNotFoundAndDurationExtendsALiveOne() {
        FrontendSession expiring = emulator.startSessionForEmail("expire@example.com");
        SessionRecord expired = emulator.expireSession(expiring.sessionId());
        assertThat(expired.expiresAt()).isBeforeOrEqualTo(Instant.now());
        assertThat(byTokenFails(expiring.sessionToken()).getErrorType()).isEqualTo("session_not_found");
        assertThat(byJwtFails(expiring.sessionJwt()).getErrorType()).isEqualTo("session_not_found");

        FrontendSession live = emulator.startSession(emulator.startSessionForEmail("extend@example.com").userId(), 10);
        AuthenticateResponse extended = byToken(live.sessionToken(), 120);
        assertThat(extended.getSession().getExpiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(119)));

        assertThat(byTokenFails("no-such-session-token").getStatusCode()).isEqualTo(404);
    }

    @Test
    void httpEndpointsStartAgeRevokeExpireAndList() throws Exception {
        JsonNode started = httpOk("POST", "/emulator/sessions",
                "{\"email\":\"http@example.com\",\"session_duration_minutes\":15}");
        assertThat(started.size()).isEqualTo(4);
        String sessionId = started.get("session_id").asText();
        String userId = started.get("user_id").asText();
        assertThat(byToken(started.get("session_token").asText(), null).getSession().getSessionId()).isEqualTo(sessionId);
        success(client.getSessions().authenticateJwtLocalCompletable(started.get("session_jwt").asText(), null, 0));

        JsonNode byUser = httpOk("POST", "/emulator/sessions", "{\"user_id\":\"" + userId + "\"}");
        assertThat(byUser.get("user_id").asText()).isEqualTo(userId);

        String aged = httpOk("POST", "/emulator/sessions/" + sessionId + "/jwt", "{\"age_seconds\":600}")
                .get("session_jwt").asText();
        long now = Instant.now().getEpochSecond();
        assertThat(claims(aged).get("iat").asLong()).isBetween(now - 602, now - 598);
        String chosen = httpOk("POST", "/emulator/sessions/" + sessionId + "/jwt",
                "{\"iat\":" + (now - 30) + ",\"exp\":" + (now + 30) + "}").get("session_jwt").asText();
        assertThat(claims(chosen).get("exp").asLong()).isEqualTo(now + 30);

        assertThat(httpOk("GET", "/emulator/sessions/" + sessionId, null).get("status").asText()).isEqualTo("active");
        JsonNode revoked = httpOk("POST", "/emulator/sessions/" + sessionId + "/revoke", "{}");
        assertThat(revoked.get("status").asText()).isEqualTo("revoked");
        assertThat(revoked.get("revoked_via").asText()).isEqualTo("emulator");
        assertThat(revoked.get("revoked_at").asText()).endsWith("Z");
        JsonNode expired = httpOk("POST", "/emulator/sessions/" + byUser.get("session_id").asText() + "/expire", "{}");
        assertThat(expired.get("status").asText()).isEqualTo("expired");

        JsonNode listed = httpOk("GET", "/emulator/sessions?user_id=" + userId, null);
        assertThat(listed.get("sessions")).extracting(n -> n.get("status").asText())
                .containsExactly("revoked", "expired");
        assertThat(httpOk("GET", "/emulator/revocations", null).get("revocations"))
                .extracting(n -> n.get("session_id").asText()).containsExactly(sessionId);

        HttpResponse<String> unknown = http("POST", "/emulator/sessions/session-test-nope/jwt", "{}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("session_not_found");
        assertThat(http("POST", "/emulator/sessions", "{\"user_id\":\"" + userId + "\",\"email\":\"x@example.com\"}")
                .statusCode()).isEqualTo(400);
        assertThat(http("POST", "/emulator/sessions", "{\"email\":\"y@example.com\",\"session_duration_minutes\":4}")
                .statusCode()).isEqualTo(400);
        assertThat(http("GET", "/emulator/sessions/" + sessionId + "/revoke", null).statusCode()).isEqualTo(405);
    }

    @Test
    void signsAnyPayloadWithTheCurrentKeySoThatOnlyTheClaimsAreWrong() throws Exception {
        FrontendSession s = emulator.startSessionForEmail("claims@example.com");
        String payload = new String(Base64.getUrlDecoder().decode(s.sessionJwt().split("\\.")[1]), StandardCharsets.UTF_8)
                .replace("\"" + emulator.projectId() + "\"", "\"project-test-someone-else\"");
        String signed = emulator.signJwtPayload(payload);

        JsonNode audience = claims(signed).get("aud");
        assertThat(audience.isArray() ? audience.get(0).asText() : audience.asText()).isEqualTo("project-test-someone-else");
        assertThat(signed.split("\\.")[0]).isEqualTo(s.sessionJwt().split("\\.")[0]);
        assertThat(client.getSessions().authenticateJwtLocalCompletable(signed, null, 0).get())
                .as("a genuine signature: only the audience check refuses it")
                .isInstanceOf(com.stytch.java.common.StytchResult.Error.class);
        assertThat(client.getSessions().authenticateJwtLocalCompletable(emulator.signJwtPayload(claims(s.sessionJwt())
                .toString()), null, 0).get()).isInstanceOf(com.stytch.java.common.StytchResult.Success.class);
    }
}
