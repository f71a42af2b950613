package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.stytch.java.common.ErrorResponse;
import com.stytch.java.consumer.models.magiclinks.AuthenticateResponse;
import com.stytch.java.consumer.models.oauth.AuthenticateRequest;
import com.stytch.java.consumer.models.sessions.AuthenticationFactorDeliveryMethod;
import com.stytch.java.consumer.models.sessions.RevokeRequest;
import com.stytch.java.consumer.models.sessions.Session;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OAuthAndSessionsContractTest extends SdkTestSupport {

    private com.stytch.java.consumer.models.oauth.AuthenticateResponse oauth(String token, String verifier) {
        return success(client.getOauth().authenticateCompletable(
                new AuthenticateRequest(token, null, 60, null, Map.of(), verifier, null)));
    }

    private AuthenticateResponse magicLinkSession(String email) {
        return success(client.getMagicLinks().authenticateCompletable(
                new com.stytch.java.consumer.models.magiclinks.AuthenticateRequest(
                        emulator.magicLinkToken(email), null, null, null, 60, null, Map.of(), null, null)));
    }

    private com.stytch.java.consumer.models.sessions.AuthenticateRequest byToken(String token) {
        return new com.stytch.java.consumer.models.sessions.AuthenticateRequest(token, null, null, Map.of(), null);
    }

    @Test
    void oauthTokenAuthenticatesWithTheSessionUnderUserSession() {
        String token = emulator.oauthToken("google", "gia@example.com", true);
        var response = oauth(token, null);
        assertThat(response.getUserSession()).isNotNull();
        assertThat(response.getProviderType()).isEqualTo("Google");
        assertThat(response.getProviderSubject()).isNotBlank();
        assertThat(response.getOauthUserRegistrationId()).isNotBlank();
        assertThat(response.getProviderValues().getScopes()).contains("email");
        assertThat(response.getUser().getEmails()).singleElement().satisfies(e -> {
            assertThat(e.getEmail()).isEqualTo("gia@example.com");
            assertThat(e.getVerified()).isTrue();
        });
        assertThat(response.getUser().getProviders()).hasSize(1);
        assertThat(response.getUserSession().getAuthenticationFactors().get(0).getDeliveryMethod())
                .isEqualTo(AuthenticationFactorDeliveryMethod.OAUTH_GOOGLE);
        assertThat(response.getUserSession().getAuthenticationFactors().get(0).getGoogleOAuthFactor()
                .getProviderSubject()).isEqualTo(response.getProviderSubject());

        ErrorResponse reused = responseError(client.getOauth().authenticateCompletable(
                new AuthenticateRequest(token, null, 60, null, Map.of(), null, null)));
        assertThat(reused.getStatusCode()).isEqualTo(400);
        assertThat(reused.getErrorType()).isEqualTo("oauth_token_not_found");
    }

    @Test
    void unverifiedOauthEmailStaysUnverified() {
        var response = oauth(emulator.oauthToken("github", "unv@example.com", false), null);
        assertThat(response.getUser().getEmails().get(0).getVerified()).isFalse();
        assertThat(response.getProviderType()).isEqualTo("GitHub");
    }

    @Test
    void consentPageRedirectsBackWithATokenThatTheSdkAuthenticates() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String challenge = MagicLinksContractTest.CHALLENGE;
        String start = emulator.baseUrl() + "/v1/public/oauth/google/start?public_token=public-token-test-x"
                + "&login_redirect_url=" + enc("https://app.example/login?from=google")
                + "&signup_redirect_url=" + enc("https://app.example/signup") + "&code_challenge=" + challenge;
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(start)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\"").contains("name=\"email\"")
                .contains("name=\"email_verified\"").contains("https://app.example/signup");

        String form = "provider=google&email=" + enc("new@example.com") + "&email_verified=true"
                + "&login_redirect_url=" + enc("https://app.example/login?from=google")
                + "&signup_redirect_url=" + enc("https://app.example/signup") + "&code_challenge=" + challenge;
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl()
                        + "/emulator/oauth/consent"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(302);
        String location = posted.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("https://app.example/signup?stytch_token_type=oauth&token=");
        String token = location.substring(location.indexOf("&token=") + 7);

        assertThat(responseError(client.getOauth().authenticateCompletable(
                new AuthenticateRequest(token, null, 60, null, Map.of(), "bad", null))).getErrorType())
                .isEqualTo("pkce_mismatch");
        var response = oauth(token, MagicLinksContractTest.VERIFIER);
        assertThat(response.getUser().getEmails().get(0).getEmail()).isEqualTo("new@example.com");
    }

    @Test
    void consentPageEscapesEchoedValuesAndRequiresAPublicToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl()
                + "/v1/public/oauth/google/start?public_token=p&code_challenge="
                + enc("\"><script>alert(1)</script>"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).doesNotContain("<script>").contains("&lt;script&gt;");
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl()
                + "/v1/public/oauth/google/start")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(400);
    }

    @Test
    void sessionJwtValidatesLocallyThroughTheJwks() {
        AuthenticateResponse login = magicLinkSession("jwt@example.com");
        Session session = success(client.getSessions().authenticateJwtLocalCompletable(login.getSessionJWT(), null, 0));
        assertThat(session.getSessionId()).isEqualTo(login.getSession().getSessionId());
        assertThat(session.getUserId()).isEqualTo(login.getUserId());
    }

    @Test
    void sessionAuthenticatesByTokenOrJwtThenRevokeMakesItNotFound() {
        AuthenticateResponse login = magicLinkSession("rev@example.com");
        var byToken = success(client.getSessions().authenticateCompletable(byToken(login.getSessionToken())));
        assertThat(byToken.getSession().getSessionId()).isEqualTo(login.getSession().getSessionId());
        assertThat(byToken.getUser().getUserId()).isEqualTo(login.getUserId());
        var byJwt = success(client.getSessions().authenticateCompletable(
                new com.stytch.java.consumer.models.sessions.AuthenticateRequest(null, null, login.getSessionJWT(),
                        Map.of(), null)));
        assertThat(byJwt.getSession().getSessionId()).isEqualTo(login.getSession().getSessionId());

        ErrorResponse both = responseError(client.getSessions().authenticateCompletable(
                new com.stytch.java.consumer.models.sessions.AuthenticateRequest(login.getSessionToken(), null,
                        login.getSessionJWT(), Map.of(), null)));
        assertThat(both.getStatusCode()).isEqualTo(400);
        assertThat(both.getErrorType()).isEqualTo("too_many_session_arguments");

        success(client.getSessions().revokeCompletable(new RevokeRequest(null, login.getSessionToken(), null)));
        ErrorResponse gone = responseError(client.getSessions().authenticateCompletable(byToken(login.getSessionToken())));
        assertThat(gone.getStatusCode()).isEqualTo(404);
        assertThat(gone.getErrorType()).isEqualTo("session_not_found");
    }

    @Test
    void expiredSessionIsNotFoundButAnExpiredJwtOfALiveSessionIsAccepted() {
        AuthenticateResponse login = magicLinkSession("exp@example.com");
        try {
            emulator.setClock(Clock.fixed(Instant.now().plus(Duration.ofMinutes(30)), ZoneOffset.UTC));
            var refreshed = success(client.getSessions().authenticateCompletable(
                    new com.stytch.java.consumer.models.sessions.AuthenticateRequest(null, null, login.getSessionJWT(),
                            Map.of(), null)));
            assertThat(refreshed.getSessionJWT()).isNotEqualTo(login.getSessionJWT());

            emulator.setClock(Clock.fixed(Instant.now().plus(Duration.ofMinutes(61)), ZoneOffset.UTC));
            ErrorResponse expired = responseError(client.getSessions().authenticateCompletable(
                    byToken(login.getSessionToken())));
            assertThat(expired.getErrorType()).isEqualTo("session_not_found");
        } finally {
            emulator.setClock(Clock.systemUTC());
        }
    }

    @Test
    void sessionDurationExtendsAndCustomClaimsReachTheJwt() {
        AuthenticateResponse login = magicLinkSession("claims@example.com");
        var extended = success(client.getSessions().authenticateCompletable(
                new com.stytch.java.consumer.models.sessions.AuthenticateRequest(login.getSessionToken(), 600, null,
                        Map.of("plan", "pro"), null)));
        assertThat(extended.getSession().getExpiresAt()).isAfter(login.getSession().getExpiresAt());
        Session local = success(client.getSessions().authenticateJwtLocalCompletable(extended.getSessionJWT(), null, 0));
        assertThat(local.getCustomClaims()).containsEntry("plan", "pro");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
