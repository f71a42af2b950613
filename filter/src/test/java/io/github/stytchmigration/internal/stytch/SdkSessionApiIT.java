package io.github.stytchmigration.internal.stytch;

import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.SessionRecord;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.internal.MigrationException.InvalidTokenException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.internal.StytchLogin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The session half of the SDK adapter (users.get, sessions.authenticate, revoke) against the emulator. */
class SdkSessionApiIT {
    private static StytchEmulator emu;
    private SdkStytchAuthenticator stytch;

    @BeforeAll
    static void startEmulator() {
        emu = StytchEmulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        emu.close();
    }

    @BeforeEach
    void open() {
        emu.reset();
        stytch = new SdkStytchAuthenticator(emu.projectId(), emu.secret(), emu.baseUrl(), 10_000, 60);
    }

    @AfterEach
    void close() {
        stytch.close();
    }

    @Test
    void readsAUsersIdentifiersWithTheirVerifiedFlags() {
        String userId = emu.createUser("alice@example.com", true, "+15005550006", false);
        StytchIdentity identity = stytch.user(userId);
        assertThat(identity.stytchUserId()).isEqualTo(userId);
        assertThat(identity.emails()).containsExactly(Identifier.verified("alice@example.com"));
        assertThat(identity.phoneNumbers()).containsExactly(Identifier.unverified("+15005550006"));
    }

    @Test
    void anUnknownUserIsAnInvalidToken() {
        assertThatThrownBy(() -> stytch.user("user-test-00000000-0000-4000-8000-000000000000"))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void authenticatesASessionTokenIntoAFreshJwtAndTheUserWithoutExtendingIt() {
        FrontendSession session = emu.startSessionForEmail("bob@example.com");
        SessionRecord before = emu.session(session.sessionId()).orElseThrow();

        StytchLogin login = stytch.authenticateSession(session.sessionToken(), null);

        assertThat(login.sessionId()).isEqualTo(session.sessionId());
        assertThat(login.identity().stytchUserId()).isEqualTo(session.userId());
        assertThat(login.identity().emails()).containsExactly(Identifier.verified("bob@example.com"));
        assertThat(login.sessionJwt()).isNotEmpty();
        assertThat(login.sessionToken()).isEqualTo(session.sessionToken());
        assertThat(login.sessionExpiresAt()).isEqualTo(before.expiresAt().getEpochSecond());
        assertThat(emu.session(session.sessionId()).orElseThrow().expiresAt()).isEqualTo(before.expiresAt());
        assertThat(login.toString()).doesNotContain(session.sessionToken());
    }

    @Test
    void authenticatesAnExpiredJwtOfALiveSession() {
        FrontendSession session = emu.startSessionForEmail("carol@example.com");
        String expired = emu.mintSessionJwt(session.sessionId(), Duration.ofMinutes(10));
        assertThat(stytch.authenticateSession(null, expired).sessionId()).isEqualTo(session.sessionId());
    }

    @Test
    void aRevokedOrExpiredSessionIsAnInvalidToken() {
        FrontendSession revoked = emu.startSessionForEmail("dave@example.com");
        emu.revokeSession(revoked.sessionId());
        assertThatThrownBy(() -> stytch.authenticateSession(revoked.sessionToken(), null))
                .isInstanceOf(InvalidTokenException.class)
                .satisfies(e -> assertThat(((InvalidTokenException) e).stytchErrorType()).isEqualTo("session_not_found"));
        FrontendSession expired = emu.startSessionForEmail("erin@example.com");
        emu.expireSession(expired.sessionId());
        assertThatThrownBy(() -> stytch.authenticateSession(expired.sessionToken(), null))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void revokesBySessionIdAndToleratesOneAlreadyGone() {
        FrontendSession session = emu.startSessionForEmail("frank@example.com");
        stytch.revokeSession(session.sessionId());
        assertThat(emu.session(session.sessionId()).orElseThrow().revokedVia()).isEqualTo(SessionRecord.VIA_API);
        stytch.revokeSession(session.sessionId());
        assertThat(emu.revocations()).hasSize(1);
    }
}
