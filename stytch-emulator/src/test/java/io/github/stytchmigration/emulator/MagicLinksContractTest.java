package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.stytch.java.common.ErrorResponse;
import com.stytch.java.consumer.models.magiclinks.AuthenticateRequest;
import com.stytch.java.consumer.models.magiclinks.AuthenticateResponse;
import com.stytch.java.consumer.models.magiclinks.CreateRequest;
import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateRequest;
import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateResponse;
import com.stytch.java.consumer.models.magiclinksemail.SendRequest;
import com.stytch.java.consumer.models.magiclinksemail.SendResponse;
import com.stytch.java.consumer.models.sessions.AuthenticationFactorDeliveryMethod;
import com.stytch.java.consumer.models.sessions.AuthenticationFactorType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MagicLinksContractTest extends SdkTestSupport {

    static final String VERIFIER = "00000000000000000000000000000000";
    static final String CHALLENGE = "hODA6vqpWjTCk_J4rFLkXOU3urXnUqAOaVmhOuEDtlo";

    private AuthenticateRequest authenticate(String token, Integer minutes, String verifier) {
        return new AuthenticateRequest(token, null, null, null, minutes, null, Map.of(), verifier, null);
    }

    @Test
    void loginOrCreateSendsALinkThatAuthenticatesExactlyOnce() {
        LoginOrCreateResponse created = success(client.getMagicLinks().getEmail().loginOrCreateCompletable(
                new LoginOrCreateRequest("Ada@Example.com", "https://app.example/cb?next=home",
                        "https://app.example/welcome")));
        assertThat(created.getUserCreated()).isTrue();
        assertThat(created.getUserId()).startsWith("user-test-");
        assertThat(created.getEmailId()).startsWith("email-test-");

        List<OutboxMessage> outbox = emulator.outbox("ada@example.com");
        assertThat(outbox).hasSize(1);
        OutboxMessage message = outbox.get(0);
        assertThat(message.kind()).isEqualTo("magic_link");
        // A new user gets the signup URL.
        assertThat(message.url()).isEqualTo("https://app.example/welcome?stytch_token_type=magic_links&token="
                + message.token());

        AuthenticateResponse first = success(client.getMagicLinks().authenticateCompletable(
                authenticate(message.token(), 60, null)));
        assertThat(first.getUserId()).isEqualTo(created.getUserId());
        assertThat(first.getMethodId()).isEqualTo(created.getEmailId());
        assertThat(first.getSessionToken()).isNotBlank();
        assertThat(first.getSessionJWT()).isNotBlank();
        assertThat(first.getSession().getSessionId()).startsWith("session-test-");
        assertThat(first.getSession().getAuthenticationFactors()).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo(AuthenticationFactorType.MAGIC_LINK);
            assertThat(f.getDeliveryMethod()).isEqualTo(AuthenticationFactorDeliveryMethod.EMAIL);
            assertThat(f.getEmailFactor().getEmailAddress()).isEqualTo("ada@example.com");
        });
        assertThat(first.getUser().getStatus()).isEqualTo("active");
        assertThat(first.getUser().getEmails()).singleElement().satisfies(e -> assertThat(e.getVerified()).isTrue());

        ErrorResponse second = responseError(client.getMagicLinks().authenticateCompletable(
                authenticate(message.token(), 60, null)));
        assertThat(second.getStatusCode()).isEqualTo(401);
        assertThat(second.getErrorType()).isEqualTo("unable_to_auth_magic_link");
    }

    @Test
    void existingActiveUserGetsTheLoginUrlKeepingItsQuery() {
        success(client.getMagicLinks().getEmail().loginOrCreateCompletable(new LoginOrCreateRequest("bo@example.com")));
        success(client.getMagicLinks().authenticateCompletable(
                authenticate(emulator.outbox("bo@example.com").get(0).token(), null, null)));

        LoginOrCreateResponse again = success(client.getMagicLinks().getEmail().loginOrCreateCompletable(
                new LoginOrCreateRequest("bo@example.com", "https://app.example/cb?next=home", null)));

        assertThat(again.getUserCreated()).isFalse();
        OutboxMessage message = emulator.outbox("bo@example.com").get(1);
        assertThat(message.url()).isEqualTo("https://app.example/cb?next=home&stytch_token_type=magic_links&token="
                + message.token());
    }

    @Test
    void defaultRedirectUrlIsTheTestProjectDefault() {
        success(client.getMagicLinks().getEmail().loginOrCreateCompletable(new LoginOrCreateRequest("cy@example.com")));
        assertThat(emulator.outbox("cy@example.com").get(0).url())
                .startsWith("http://localhost:3000/authenticate?stytch_token_type=magic_links&token=");
    }

    @Test
    void authenticateWithoutDurationGivesNoSessionAndEmptyTokens() {
        String token = emulator.magicLinkToken("dee@example.com");
        AuthenticateResponse response = success(client.getMagicLinks().authenticateCompletable(
                authenticate(token, null, null)));
        assertThat(response.getSession()).isNull();
        assertThat(response.getSessionToken()).isEmpty();
        assertThat(response.getSessionJWT()).isEmpty();
    }

    @Test
    void unknownTokenIsMagicLinkNotFound() {
        ErrorResponse error = responseError(client.getMagicLinks().authenticateCompletable(
                authenticate("no-such-token", 60, null)));
        assertThat(error.getStatusCode()).isEqualTo(404);
        assertThat(error.getErrorType()).isEqualTo("magic_link_not_found");
    }

    @Test
    void expiredTokenIsUnableToAuth() {
        String token = emulator.magicLinkToken("old@example.com");
        emulator.setClock(Clock.fixed(Instant.now().plus(Duration.ofMinutes(10081)), ZoneOffset.UTC));
        try {
            ErrorResponse error = responseError(client.getMagicLinks().authenticateCompletable(
                    authenticate(token, 60, null)));
            assertThat(error.getErrorType()).isEqualTo("unable_to_auth_magic_link");
        } finally {
            emulator.setClock(Clock.systemUTC());
        }
    }

    @Test
    void sessionDurationOutOfRangeIsRejectedWithoutUsingTheToken() {
        String token = emulator.magicLinkToken("eve@example.com");
        ErrorResponse error = responseError(client.getMagicLinks().authenticateCompletable(
                authenticate(token, 4, null)));
        assertThat(error.getStatusCode()).isEqualTo(400);
        assertThat(error.getErrorType()).isEqualTo("invalid_session_duration");
        success(client.getMagicLinks().authenticateCompletable(authenticate(token, 5, null)));
    }

    @Test
    void pkceVerifierMustMatchTheChallenge() {
        success(client.getMagicLinks().getEmail().loginOrCreateCompletable(new LoginOrCreateRequest(
                "pk@example.com", null, null, null, null, null, null, null, null, CHALLENGE, null)));
        String token = emulator.outbox("pk@example.com").get(0).token();

        assertThat(responseError(client.getMagicLinks().authenticateCompletable(authenticate(token, 60, null)))
                .getErrorType()).isEqualTo("pkce_expected_code_verifier");
        ErrorResponse mismatch = responseError(client.getMagicLinks().authenticateCompletable(
                authenticate(token, 60, "wrong-verifier")));
        assertThat(mismatch.getStatusCode()).isEqualTo(400);
        assertThat(mismatch.getErrorType()).isEqualTo("pkce_mismatch");

        success(client.getMagicLinks().authenticateCompletable(authenticate(token, 60, VERIFIER)));
    }

    @Test
    void verifierWithoutChallengeIsRejected() {
        String token = emulator.magicLinkToken("nopk@example.com");
        assertThat(responseError(client.getMagicLinks().authenticateCompletable(authenticate(token, 60, VERIFIER)))
                .getErrorType()).isEqualTo("pkce_did_not_expect_code_verifier");
    }

    @Test
    void sendToUnknownEmailIsEmailNotFound() {
        ErrorResponse error = responseError(client.getMagicLinks().getEmail().sendCompletable(
                new SendRequest("nobody@example.com")));
        assertThat(error.getStatusCode()).isEqualTo(404);
        assertThat(error.getErrorType()).isEqualTo("email_not_found");
    }

    @Test
    void sendToKnownEmailDeliversALoginLink() {
        String userId = emulator.createUser("known@example.com", true, null, false);
        SendResponse sent = success(client.getMagicLinks().getEmail().sendCompletable(
                new SendRequest("known@example.com")));
        assertThat(sent.getUserId()).isEqualTo(userId);
        assertThat(emulator.outbox("known@example.com")).singleElement()
                .satisfies(m -> assertThat(m.url()).contains("stytch_token_type=magic_links"));
    }

    @Test
    void embeddableLinkAuthenticatesForItsUser() {
        String userId = emulator.createUser("emb@example.com", false, null, false);
        String token = success(client.getMagicLinks().createCompletable(new CreateRequest(userId))).getToken();
        AuthenticateResponse response = success(client.getMagicLinks().authenticateCompletable(
                authenticate(token, 30, null)));
        assertThat(response.getUserId()).isEqualTo(userId);
        assertThat(response.getSession().getAuthenticationFactors().get(0).getDeliveryMethod())
                .isEqualTo(AuthenticationFactorDeliveryMethod.EMBEDDED);
        assertThat(emulator.embeddableMagicLinkToken(userId)).isNotEqualTo(token);
    }

    @Test
    void magicLinkTokenCreatesAnActiveUserWithUnverifiedEmailUntilAuthenticated() {
        String token = emulator.magicLinkToken("javaapi@example.com");
        assertThat(emulator.outbox("javaapi@example.com")).singleElement()
                .satisfies(m -> assertThat(m.token()).isEqualTo(token));
        AuthenticateResponse response = success(client.getMagicLinks().authenticateCompletable(
                authenticate(token, 60, null)));
        assertThat(response.getUser().getEmails().get(0).getVerified()).isTrue();
    }

    @Test
    void wrongSecretIsUnauthorizedCredentials() {
        try (var wrong = new com.stytch.java.consumer.StytchClient(emulator.projectId(), "wrong-secret",
                new com.stytch.java.common.OptionalClientConfig(emulator.baseUrl()))) {
            ErrorResponse error = responseError(wrong.getMagicLinks().getEmail().loginOrCreateCompletable(
                    new LoginOrCreateRequest("x@example.com")));
            assertThat(error.getStatusCode()).isEqualTo(401);
            assertThat(error.getErrorType()).isEqualTo("unauthorized_credentials");
        }
        assertThat(emulator.outbox("x@example.com")).isEmpty();
    }
}
