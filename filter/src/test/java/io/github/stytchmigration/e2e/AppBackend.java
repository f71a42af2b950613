package io.github.stytchmigration.e2e;

import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.consumer.models.otp.AuthenticateRequest;
import com.stytch.java.consumer.models.otp.AuthenticateResponse;
import com.stytch.java.consumer.models.otpemail.LoginOrCreateRequest;
import com.stytch.java.consumer.models.otpemail.LoginOrCreateResponse;
import io.github.stytchmigration.emulator.StytchEmulator;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The app's own backend in the session scenarios: an email OTP login through the real SDK, as an app does
 * before it hands the session to {@code MigrationLogin}. Its own class, so that the scenarios load the SDK
 * only when they run this (a one-jar cell of the container matrix has it inside the webapp only).
 */
final class AppBackend {
    /** The session Stytch started; both values are secrets. */
    record Session(String sessionToken, String sessionJwt) {
    }

    private AppBackend() {
    }

    static Session emailOtpLogin(StytchEmulator emulator, String email) throws Exception {
        try (StytchClient stytch = new StytchClient(emulator.projectId(), emulator.secret(),
                new OptionalClientConfig(emulator.baseUrl()))) {
            LoginOrCreateResponse sent = success(stytch.getOtps().getEmail()
                    .loginOrCreateCompletable(new LoginOrCreateRequest(email)).get(10, TimeUnit.SECONDS));
            String code = emulator.outbox(email).get(0).code();
            AuthenticateResponse otp = success(stytch.getOtps().authenticateCompletable(new AuthenticateRequest(
                    sent.getEmailId(), code, null, null, null, 60, null, Map.of(), null)).get(10, TimeUnit.SECONDS));
            return new Session(otp.getSessionToken(), otp.getSessionJWT());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T success(StytchResult<T> result) {
        if (!(result instanceof StytchResult.Success)) {
            throw new AssertionError("Stytch refused an OTP step: " + result.getClass().getSimpleName());
        }
        return ((StytchResult.Success<T>) result).getValue();
    }
}
