package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.stytch.java.common.ErrorResponse;
import com.stytch.java.consumer.models.magiclinks.AuthenticateRequest;
import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultsAndSandboxContractTest extends SdkTestSupport {

    private static final String AUTHENTICATE = "/v1/magic_links/authenticate";

    private AuthenticateRequest magic(String token) {
        return new AuthenticateRequest(token, null, null, null, 60, null, Map.of(), null, null);
    }

    @Test
    void statusFaultGivesAResponseErrorOnceThenNormalService() {
        String token = emulator.magicLinkToken("f@example.com");
        emulator.injectFault(Fault.status(AUTHENTICATE, 503, null));
        ErrorResponse error = responseError(client.getMagicLinks().authenticateCompletable(magic(token)));
        assertThat(error.getStatusCode()).isEqualTo(503);
        assertThat(error.getErrorType()).isEqualTo("internal_server_error");
        success(client.getMagicLinks().authenticateCompletable(magic(token)));
        assertThat(emulator.requestCount(AUTHENTICATE)).isEqualTo(2);
    }

    @Test
    void rateLimitFaultDefaultsToTooManyRequests() {
        emulator.injectFault(Fault.status(AUTHENTICATE, 429, null).times(2));
        assertThat(responseError(client.getMagicLinks().authenticateCompletable(magic("x"))).getErrorType())
                .isEqualTo("too_many_requests");
        assertThat(responseError(client.getMagicLinks().authenticateCompletable(magic("x"))).getStatusCode())
                .isEqualTo(429);
        assertThat(responseError(client.getMagicLinks().authenticateCompletable(magic("x"))).getErrorType())
                .isEqualTo("magic_link_not_found");
    }

    @Test
    void malformedFaultIsCritical() {
        emulator.injectFault(Fault.malformed(AUTHENTICATE));
        assertThat(criticalError(client.getMagicLinks().authenticateCompletable(magic("x")))).isNotNull();
    }

    @Test
    void connectionResetFaultIsCritical() {
        // OkHttp may retry once after a connection failure, so reset twice.
        emulator.injectFault(Fault.connectionReset(AUTHENTICATE).times(2));
        assertThat(criticalError(client.getMagicLinks().authenticateCompletable(magic("x"))))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void delayFaultDelaysThenAnswersNormally() {
        String token = emulator.magicLinkToken("slow@example.com");
        emulator.injectFault(Fault.delay(AUTHENTICATE, 700));
        long start = System.nanoTime();
        success(client.getMagicLinks().authenticateCompletable(magic(token)));
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(700);
    }

    @Test
    void requestCountProvesAnEndpointWasNotCalled() {
        assertThat(emulator.requestCount(AUTHENTICATE)).isZero();
    }

    @Test
    void sandboxMagicLinkTokensBehaveAsDocumented() {
        var ok = success(client.getMagicLinks().authenticateCompletable(magic("DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=")));
        assertThat(ok.getUser().getEmails().get(0).getEmail()).isEqualTo("sandbox@stytch.com");
        ErrorResponse unauthorized = responseError(client.getMagicLinks().authenticateCompletable(
                magic("3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=")));
        assertThat(unauthorized.getStatusCode()).isEqualTo(401);
        assertThat(unauthorized.getErrorType()).isEqualTo("unable_to_auth_magic_link");
        ErrorResponse notFound = responseError(client.getMagicLinks().authenticateCompletable(
                magic("CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=")));
        assertThat(notFound.getStatusCode()).isEqualTo(404);
        assertThat(notFound.getErrorType()).isEqualTo("magic_link_not_found");
    }

    @Test
    void sandboxOauthSessionAndOtpValuesBehaveAsDocumented() {
        var oauth = success(client.getOauth().authenticateCompletable(new com.stytch.java.consumer.models.oauth
                .AuthenticateRequest("hdPVZHHX0UoRa7hJTuuPHi1vlddffSnoweRbVFf5-H8g")));
        assertThat(oauth.getUserId()).startsWith("user-test-");
        ErrorResponse oauthFail = responseError(client.getOauth().authenticateCompletable(
                new com.stytch.java.consumer.models.oauth.AuthenticateRequest("59cnLELtq5cFVS6uYK9f-pAWzBkhqZl8AvLhbhOvKNWw")));
        assertThat(oauthFail.getStatusCode()).isEqualTo(400);
        assertThat(oauthFail.getErrorType()).isEqualTo("oauth_token_not_found");

        success(client.getSessions().authenticateCompletable(new com.stytch.java.consumer.models.sessions
                .AuthenticateRequest("WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY")));
        assertThat(responseError(client.getSessions().authenticateCompletable(new com.stytch.java.consumer.models
                .sessions.AuthenticateRequest("59cnLELtq5cFVS6uYK9f-pAWzBkhqZl8AvLhbhOvKNWw"))).getErrorType())
                .isEqualTo("session_not_found");

        var sms = success(client.getOtps().getSms().loginOrCreateCompletable(
                new com.stytch.java.consumer.models.otpsms.LoginOrCreateRequest("+10000000000")));
        success(client.getOtps().authenticateCompletable(
                new com.stytch.java.consumer.models.otp.AuthenticateRequest(sms.getPhoneId(), "000000")));
        assertThat(emulator.outbox("+10000000000")).isEmpty();
    }

    @Test
    void sandboxEmailSendsNothing() {
        var response = success(client.getMagicLinks().getEmail().loginOrCreateCompletable(
                new LoginOrCreateRequest("sandbox@stytch.com")));
        assertThat(response.getUserId()).startsWith("user-test-");
        assertThat(emulator.outbox("sandbox@stytch.com")).isEmpty();
    }
}
