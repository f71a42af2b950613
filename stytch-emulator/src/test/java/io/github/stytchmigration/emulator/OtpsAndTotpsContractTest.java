package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.stytch.java.common.ErrorResponse;
import com.stytch.java.consumer.models.otp.AuthenticateRequest;
import com.stytch.java.consumer.models.otp.AuthenticateResponse;
import com.stytch.java.consumer.models.sessions.AuthenticationFactorType;
import com.stytch.java.consumer.models.totps.CreateRequest;
import com.stytch.java.consumer.models.totps.CreateResponse;
import io.github.stytchmigration.emulator.internal.TotpCodes;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtpsAndTotpsContractTest extends SdkTestSupport {

    private AuthenticateRequest otp(String methodId, String code) {
        return new AuthenticateRequest(methodId, code, null, null, null, 60, null, Map.of(), null);
    }

    @Test
    void smsOtpLoginOrCreateThenAuthenticateVerifiesThePhone() {
        var sent = success(client.getOtps().getSms().loginOrCreateCompletable(
                new com.stytch.java.consumer.models.otpsms.LoginOrCreateRequest("+12025550199")));
        assertThat(sent.getUserCreated()).isTrue();
        OutboxMessage message = emulator.outbox("+12025550199").get(0);
        assertThat(message.kind()).isEqualTo("otp");
        assertThat(message.code()).matches("[0-9]{6}");

        ErrorResponse wrong = responseError(client.getOtps().authenticateCompletable(otp(sent.getPhoneId(),
                message.code().equals("000001") ? "000002" : "000001")));
        assertThat(wrong.getErrorType()).isEqualTo("otp_code_not_found");

        AuthenticateResponse ok = success(client.getOtps().authenticateCompletable(otp(sent.getPhoneId(), message.code())));
        assertThat(ok.getUser().getPhoneNumbers().get(0).getVerified()).isTrue();
        assertThat(ok.getSession().getAuthenticationFactors().get(0).getType()).isEqualTo(AuthenticationFactorType.OTP);

        assertThat(responseError(client.getOtps().authenticateCompletable(otp(sent.getPhoneId(), message.code())))
                .getErrorType()).isEqualTo("unable_to_auth_otp_code");
    }

    @Test
    void emailOtpLoginOrCreateThenAuthenticate() {
        var sent = success(client.getOtps().getEmail().loginOrCreateCompletable(
                new com.stytch.java.consumer.models.otpemail.LoginOrCreateRequest("otp@example.com")));
        String code = emulator.outbox("otp@example.com").get(0).code();
        AuthenticateResponse ok = success(client.getOtps().authenticateCompletable(otp(sent.getEmailId(), code)));
        assertThat(ok.getMethodId()).isEqualTo(sent.getEmailId());
        assertThat(ok.getUser().getEmails().get(0).getVerified()).isTrue();
        assertThat(ok.getSession().getAuthenticationFactors().get(0).getType())
                .isEqualTo(AuthenticationFactorType.EMAIL_OTP);
    }

    @Test
    void totpCreateThenAuthenticateWithAComputedCode() {
        String userId = emulator.createUser("mfa@example.com", true, null, false);
        CreateResponse totp = success(client.getTotps().createCompletable(new CreateRequest(userId)));
        assertThat(totp.getSecret()).matches("[A-Z2-7]{32}");
        assertThat(totp.getRecoveryCodes()).hasSize(10);
        assertThat(totp.getQrCode()).startsWith("otpauth://totp/");
        assertThat(totp.getUser().getTotps()).singleElement().satisfies(t -> assertThat(t.getVerified()).isFalse());

        String code = TotpCodes.code(totp.getSecret(), Instant.now());
        String wrong = code.equals("123456") ? "654321" : "123456";
        assertThat(responseError(client.getTotps().authenticateCompletable(
                new com.stytch.java.consumer.models.totps.AuthenticateRequest(userId, wrong))).getStatusCode())
                .isEqualTo(401);
        var ok = success(client.getTotps().authenticateCompletable(
                new com.stytch.java.consumer.models.totps.AuthenticateRequest(userId, code, null, 60, null, Map.of(),
                        null)));
        assertThat(ok.getTotpId()).isEqualTo(totp.getTotpId());
        assertThat(ok.getUser().getTotps().get(0).getVerified()).isTrue();
        assertThat(ok.getSession().getAuthenticationFactors().get(0).getType()).isEqualTo(AuthenticationFactorType.TOTP);
    }

    @Test
    void totpCodeMatchesTheRfc6238TestVector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → the 6-digit code is 287082.
        String secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // base32 of "12345678901234567890"
        assertThat(TotpCodes.code(secret, Instant.ofEpochSecond(59))).isEqualTo("287082");
    }
}
