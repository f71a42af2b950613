package io.github.stytchmigration.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.consumer.models.magiclinks.AuthenticateRequest;
import com.stytch.java.consumer.models.sessions.RevokeRequest;
import com.stytch.java.consumer.models.totps.CreateRequest;
import com.stytch.java.consumer.models.users.GetRequest;
import com.stytch.java.consumer.models.users.UpdateRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dataDir}: what the emulator keeps across a restart, driven through the real SDK. */
class DataDirTest {

    @TempDir
    Path dir;

    private static <T> T sdk(StytchEmulator emulator, Function<StytchClient, CompletableFuture<StytchResult<T>>> call) {
        try (StytchClient client = new StytchClient(emulator.projectId(), emulator.secret(),
                new OptionalClientConfig(emulator.baseUrl()))) {
            return SdkTestSupport.success(call.apply(client));
        }
    }

    @Test
    void usersSessionsOutboxRecordsAndKeysSurviveARestart() throws Exception {
        String userId;
        String externalUser;
        String jwtBefore;
        String pendingToken;
        FrontendSession browser;
        List<String> kids;
        String totpSecret;
        try (StytchEmulator first = StytchEmulator.builder().dataDir(dir).start()) {
            assertThat(first.dataDir()).contains(dir.toAbsolutePath().normalize());
            var login = sdk(first, c -> c.getMagicLinks().authenticateCompletable(new AuthenticateRequest(
                    first.magicLinkToken("keep@example.com"), null, null, null, 60, null, Map.of("plan", "pro"), null,
                    null)));
            userId = login.getUserId();
            jwtBefore = login.getSessionJWT();
            sdk(first, c -> c.getUsers().updateCompletable(new UpdateRequest(userId, null, null,
                    Map.of("tier", "gold"), null, "legacy-keep", null)));
            totpSecret = sdk(first, c -> c.getTotps().createCompletable(new CreateRequest(userId))).getSecret();
            first.rotateSigningKey();
            browser = first.startSessionForEmail("browser@example.com");
            externalUser = first.createUser(null, false, "+12025550199", true);
            first.revokeSession(first.startSession(externalUser).sessionId());
            pendingToken = first.magicLinkToken("later@example.com");
            kids = first.signingKeyIds();
        }
        assertThat(dir.resolve("state.json")).exists();
        assertThat(dir.resolve("state.json.tmp")).doesNotExist();
        assertThat(new ObjectMapper().readTree(dir.resolve("state.json").toFile()).get("version").asInt()).isEqualTo(1);

        try (StytchEmulator second = StytchEmulator.builder().dataDir(dir).start()) {
            assertThat(second.signingKeyIds()).isEqualTo(kids);
            // A JWT signed before the restart (by the key since rotated out of signing) still verifies.
            var local = sdk(second, c -> c.getSessions().authenticateJwtLocalCompletable(jwtBefore, null, 0));
            assertThat(local.getUserId()).isEqualTo(userId);
            assertThat(local.getCustomClaims()).containsEntry("plan", "pro");
            var user = sdk(second, c -> c.getUsers().getCompletable(new GetRequest("legacy-keep")));
            assertThat(user.getUserId()).isEqualTo(userId);
            assertThat(user.getTrustedMetadata()).containsEntry("tier", "gold");
            assertThat(user.getEmails()).singleElement().satisfies(e -> assertThat(e.getVerified()).isTrue());
            assertThat(user.getTotps()).hasSize(1);
            assertThat(second.userUpdates(userId)).singleElement()
                    .satisfies(u -> assertThat(u.externalId()).isEqualTo("legacy-keep"));
            assertThat(sdk(second, c -> c.getTotps().authenticateCompletable(
                    new com.stytch.java.consumer.models.totps.AuthenticateRequest(userId,
                            io.github.stytchmigration.emulator.internal.TotpCodes.code(totpSecret, Instant.now()))))
                    .getTotpId()).isNotBlank();

            var refreshed = sdk(second, c -> c.getSessions().authenticateCompletable(
                    new com.stytch.java.consumer.models.sessions.AuthenticateRequest(browser.sessionToken(), null, null,
                            Map.of(), null)));
            assertThat(refreshed.getSession().getSessionId()).isEqualTo(browser.sessionId());
            assertThat(second.revocations()).singleElement()
                    .satisfies(r -> assertThat(r.userId()).isEqualTo(externalUser));

            assertThat(second.outbox("later@example.com")).singleElement()
                    .satisfies(m -> assertThat(m.token()).isEqualTo(pendingToken));
            var later = sdk(second, c -> c.getMagicLinks().authenticateCompletable(new AuthenticateRequest(
                    pendingToken, null, null, null, 60, null, Map.of(), null, null)));
            assertThat(later.getUser().getEmails().get(0).getEmail()).isEqualTo("later@example.com");
            sdk(second, c -> c.getSessions().revokeCompletable(new RevokeRequest(later.getSession().getSessionId())));
        }

        try (StytchEmulator third = StytchEmulator.builder().dataDir(dir).start()) {
            assertThat(third.revocations()).hasSize(2);
            third.reset();
        }
        try (StytchEmulator fourth = StytchEmulator.builder().dataDir(dir).start()) {
            assertThat(fourth.revocations()).isEmpty();
            assertThat(fourth.outbox("later@example.com")).isEmpty();
            assertThat(fourth.signingKeyIds()).as("reset keeps the keys").isEqualTo(kids);
        }
    }

    @Test
    void oneEmulatorPerDirectoryAndOneProjectPerDirectory() {
        try (StytchEmulator owner = StytchEmulator.builder().dataDir(dir).start()) {
            assertThatThrownBy(() -> StytchEmulator.builder().dataDir(dir).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("data directory [" + dir.toAbsolutePath().normalize() + "] is in use by another emulator");
            assertThat(owner.dataDir()).isPresent();
        }
        assertThatThrownBy(() -> StytchEmulator.builder().dataDir(dir).projectId("project-test-other").start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("data directory [" + dir.toAbsolutePath().normalize() + "] holds project ["
                        + StytchEmulator.DEFAULT_PROJECT_ID + "], not [project-test-other]");
        // The failed start let go of the directory.
        try (StytchEmulator again = StytchEmulator.builder().dataDir(dir).start()) {
            assertThat(again.signingKeyIds()).hasSize(1);
        }
    }

    @Test
    void withoutADataDirTheStateIsInMemoryOnly() throws Exception {
        try (StytchEmulator emulator = StytchEmulator.start()) {
            assertThat(emulator.dataDir()).isEmpty();
        }
        assertThat(Files.list(dir)).isEmpty();
    }
}
