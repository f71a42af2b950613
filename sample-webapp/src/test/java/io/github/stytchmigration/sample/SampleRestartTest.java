package io.github.stytchmigration.sample;

import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.consumer.models.sessions.Session;
import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample stopped and started again on the same data directory, in-process as {@code java -jar}
 * runs it: embedded PostgreSQL and the emulator keep their state, so a migrated user keeps the Stytch
 * id it was linked to. Each start has its own temporary data directory, apart from the shared sample's.
 */
class SampleRestartTest {
    @TempDir
    Path data;

    private SampleLauncher start() throws Exception {
        return SampleLauncher.start(new SampleLauncher.Options()
                .port(0)
                .dataDir(data)
                .env(Map.of()) // emulator and embedded PostgreSQL, whatever the machine's env says
                .webappDir(Path.of("src/main/webapp")));
    }

    @Test
    void linkedUserIsAlreadyLinkedWithTheSameStytchIdAfterARestartAndItsSessionJwtStillVerifies() throws Exception {
        String email = "erin.evans@example.com";
        String stytchUserId;
        FrontendSession session;
        try (SampleLauncher first = start()) {
            HttpResponse<String> account = browser(first).magicLinkLoginAndFollow(first.emulator(), email);
            assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("LINKED");
            stytchUserId = Pages.byId(account.body(), "stytch-user-id");
            session = first.emulator().startSession(stytchUserId); // its JWT is signed before the restart
        }
        assertThat(data.resolve("postgres")).isDirectory();
        assertThat(data.resolve("emulator")).isDirectory();

        try (SampleLauncher second = start()) {
            assertThat(second.description()).contains(data.toAbsolutePath().toString()).doesNotContain("Note:");
            HttpResponse<String> account = browser(second).magicLinkLoginAndFollow(second.emulator(), email);
            assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("ALREADY_LINKED");
            assertThat(Pages.byId(account.body(), "stytch-user-id")).isEqualTo(stytchUserId);
            assertThat(stytchUserIdOf(second, email)).isEqualTo(stytchUserId);
            // the signing keys were kept: a JWT minted by the first run verifies against the second's JWKS
            assertThat(verifyLocally(second.emulator(), session.sessionJwt()).getUserId()).isEqualTo(stytchUserId);
        }
    }

    @Test
    void dataDirFromAnOlderSampleWithoutEmulatorStateRelinksItsUsersOnceAndTheyLogInAgain() throws Exception {
        String email = "gus.garcia@example.com";
        String oldId;
        try (SampleLauncher first = start()) {
            HttpResponse<String> account = browser(first).magicLinkLoginAndFollow(first.emulator(), email);
            assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("LINKED");
            oldId = Pages.byId(account.body(), "stytch-user-id");
        }
        // what an older sample left: the database only, its emulator having kept nothing
        deleteTree(data.resolve("emulator"));

        String newId;
        try (SampleLauncher second = start()) {
            assertThat(second.description()).contains("1 migrated user got a new Stytch id, once");
            newId = stytchUserIdOf(second, email);
            assertThat(newId).isNotEqualTo(oldId).startsWith("user-test-");
            HttpResponse<String> account = browser(second).magicLinkLoginAndFollow(second.emulator(), email);
            assertThat(Pages.byId(account.body(), "outcome")).isEqualTo("ALREADY_LINKED");
            assertThat(Pages.byId(account.body(), "stytch-user-id")).isEqualTo(newId);
        }
        try (SampleLauncher third = start()) {
            assertThat(third.description()).doesNotContain("Note:");
            assertThat(stytchUserIdOf(third, email)).isEqualTo(newId);
        }
    }

    private static WebClient browser(SampleLauncher sample) {
        return new WebClient("http://127.0.0.1:" + sample.port());
    }

    private static String stytchUserIdOf(SampleLauncher sample, String email) throws Exception {
        try (Connection c = sample.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT stytch_user_id FROM users WHERE lower(email) = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for " + email).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static Session verifyLocally(StytchEmulator emulator, String jwt) throws Exception {
        try (StytchClient client = new StytchClient(emulator.projectId(), emulator.secret(),
                new OptionalClientConfig(emulator.baseUrl()))) {
            StytchResult<Session> result = client.getSessions().authenticateJwtLocalCompletable(jwt, null, 0)
                    .get(30, TimeUnit.SECONDS);
            if (result instanceof StytchResult.Error error) {
                throw new AssertionError("the JWT did not verify: " + error.getException(), error.getException());
            }
            return ((StytchResult.Success<Session>) result).getValue();
        }
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
