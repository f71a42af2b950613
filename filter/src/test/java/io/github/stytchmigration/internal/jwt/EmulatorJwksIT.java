package io.github.stytchmigration.internal.jwt;

import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.StytchEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The verifier against the emulator's real JWKS (x5c, key rotation) over HTTP. */
class EmulatorJwksIT {
    private static StytchEmulator emu;

    @BeforeAll
    static void startEmulator() {
        emu = StytchEmulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        emu.close();
    }

    private static String jwksPath() {
        return "/v1/sessions/jwks/" + emu.projectId();
    }

    @Test
    void verifiesTheEmulatorsSessionJwtsWithOneFetchOfItsKeys() {
        emu.reset();
        SessionJwtVerifier verifier = SessionJwtVerifier.create(emu.projectId(), emu.baseUrl(), 5_000, 300);
        for (int i = 0; i < 5; i++) {
            FrontendSession session = emu.startSessionForEmail("user" + i + "@example.com");
            JwtVerdict verdict = verifier.verify(session.sessionJwt());
            assertThat(verdict.kind()).isEqualTo(JwtVerdict.Kind.VALID);
            assertThat(verdict.jwt().sessionId()).isEqualTo(session.sessionId());
            assertThat(verdict.jwt().stytchUserId()).isEqualTo(session.userId());
        }
        assertThat(emu.requestCount(jwksPath())).isEqualTo(1);

        FrontendSession aged = emu.startSessionForEmail("aged@example.com");
        assertThat(verifier.verify(emu.mintSessionJwt(aged.sessionId(), Duration.ofMinutes(6))).kind())
                .isEqualTo(JwtVerdict.Kind.STALE);
        assertThat(emu.requestCount("/v1/sessions/authenticate")).as("the check is local").isZero();
    }

    @Test
    void picksUpARotatedKeyOnceTheRefetchIntervalAllows() {
        emu.reset();
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        JwksCache keys = new JwksCache(new HttpJwksFetcher(emu.baseUrl(), emu.projectId(), 5_000), nanos::get, 5_000);
        SessionJwtVerifier verifier = new SessionJwtVerifier(emu.projectId(),
                java.util.Set.of("stytch.com/" + emu.projectId(), emu.baseUrl()), keys, 300, java.time.Clock.systemUTC());
        assertThat(verifier.verify(emu.startSessionForEmail("a@example.com").sessionJwt()).kind())
                .isEqualTo(JwtVerdict.Kind.VALID);

        emu.rotateSigningKey();
        String rotated = emu.startSessionForEmail("b@example.com").sessionJwt();
        assertThat(verifier.verify(rotated).kind()).isEqualTo(JwtVerdict.Kind.UNVERIFIABLE);
        nanos.addAndGet(java.util.concurrent.TimeUnit.SECONDS.toNanos(JwksCache.UNKNOWN_KID_REFETCH_INTERVAL_SECONDS));
        assertThat(verifier.verify(rotated).kind()).isEqualTo(JwtVerdict.Kind.VALID);
        assertThat(emu.requestCount(jwksPath())).isEqualTo(2);
    }
}
