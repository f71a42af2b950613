package io.github.stytchmigration.operate;

import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.emulator.UserUpdate;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code writeExternalId} and {@code linkByExternalId} through a real web.xml in Jetty, the real SDK and the
 * emulator, which records every users.update and keeps external ids: LINKED and CREATED write the internal id;
 * the steady state writes nothing; a failed write never fails the login and the next login makes it; a taken id is
 * logged with both ids and not retried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExternalIdIT {
    private AppStack stack;
    private StytchEmulator emulator;
    private LogCapture logs;
    private final Set<String> secrets = new HashSet<>();

    @BeforeAll
    void start() throws Exception {
        logs = LogCapture.start();
        stack = AppStack.startWithFilter(p -> p.put("writeExternalId", "true").put("linkByExternalId", "true")
                .put("stytchTimeoutMillis", "5000"));
        emulator = stack.emulator();
        secrets.add(emulator.secret());
        secrets.add(stack.db().password());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            logs.assertNoSecretLogged(secrets);
            assertThat(logs.text()).as("no email unmasked").doesNotContainPattern("[a-z0-9]{2,}@example\\.com");
        } finally {
            stack.close();
            logs.close();
        }
    }

    private HttpResponse<String> login(String email) throws Exception {
        String token = emulator.magicLinkToken(email);
        secrets.add(token);
        return new Browser().callback(stack.appUrl() + "/authenticate", "magic_links", token);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 15 s for: " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** A login of a new person, whose write we wait for: every write started before it has reached Stytch too. */
    private void syncPoint(String email) throws Exception {
        HttpResponse<String> r = login(email);
        assertThat(Browser.field(r, "outcome")).isEqualTo("CREATED");
        String stytchUserId = Browser.field(r, "stytchUserId");
        await("the write of " + email, () -> !emulator.userUpdates(stytchUserId).isEmpty());
    }

    private long metric(String attribute) throws Exception {
        return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName(
                "io.github.stytchmigration:type=MigrationFilter,context=/app,name=stytchMigration"), attribute);
    }

    @Test
    void linkedAndCreatedWriteTheInternalIdAndTheSteadyStateWritesNothing() throws Exception {
        long aliceId = stack.users().seed("alice@example.com");
        HttpResponse<String> linked = login("alice@example.com");
        assertThat(Browser.field(linked, "outcome")).isEqualTo("LINKED");
        String alice = Browser.field(linked, "stytchUserId");
        await("alice's external_id written", () -> !emulator.userUpdates(alice).isEmpty());
        UserUpdate update = emulator.userUpdates(alice).get(0);
        assertThat(update.externalId()).isEqualTo(Long.toString(aliceId));
        assertThat(update.status()).isEqualTo(200);
        assertThat(update.fields()).as("no roles, no metadata").containsExactlyInAnyOrder("user_id", "external_id");
        assertThat(update.rolesSent()).isFalse();

        HttpResponse<String> created = login("bob@example.com");
        assertThat(Browser.field(created, "outcome")).isEqualTo("CREATED");
        String bob = Browser.field(created, "stytchUserId");
        await("bob's external_id written", () -> !emulator.userUpdates(bob).isEmpty());
        assertThat(emulator.userUpdates(bob).get(0).externalId()).isEqualTo(Browser.field(created, "userId"));

        long updatesBefore = emulator.userUpdates().size();
        assertThat(Browser.field(login("alice@example.com"), "outcome")).isEqualTo("ALREADY_LINKED");
        assertThat(Browser.field(login("bob@example.com"), "outcome")).isEqualTo("ALREADY_LINKED");
        syncPoint("carol@example.com");
        assertThat(emulator.userUpdates(alice)).as("the steady state writes nothing").hasSize(1);
        assertThat(emulator.userUpdates(bob)).hasSize(1);
        assertThat(emulator.userUpdates()).as("only carol's write").hasSize((int) updatesBefore + 1);
    }

    @Test
    void aFailedWriteLeavesTheLoginSuccessfulAndTheNextLoginWritesIt() throws Exception {
        String erin = emulator.createUser("erin@example.com", true, null, false);
        long erinId = stack.users().seed("erin@example.com");
        String path = "/v1/users/" + erin;
        emulator.injectFault(Fault.status(path, 503, null));
        long failuresBefore = metric("ExternalIdWriteFailures");

        HttpResponse<String> first = login("erin@example.com");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(Browser.field(first, "outcome")).isEqualTo("LINKED");
        await("the failed write logged", () -> logs.text().contains("could not set external_id [" + erinId + "] on Stytch user " + erin));
        assertThat(emulator.requestCount(path)).isEqualTo(1);
        assertThat(emulator.userUpdates(erin)).as("the fault answered before the update was made").isEmpty();
        assertThat(metric("ExternalIdWriteFailures")).isEqualTo(failuresBefore + 1);

        HttpResponse<String> next = login("erin@example.com");
        assertThat(Browser.field(next, "outcome")).isEqualTo("ALREADY_LINKED");
        await("the next login's write", () -> !emulator.userUpdates(erin).isEmpty());
        assertThat(emulator.userUpdates(erin).get(0).externalId()).isEqualTo(Long.toString(erinId));
        assertThat(emulator.userUpdates(erin).get(0).status()).isEqualTo(200);
        assertThat(logs.lines().stream().filter(l -> l.message().contains("could not set external_id [" + erinId + "]")))
                .as("logged once").hasSize(1);
    }

    @Test
    void anExternalIdTakenByAnotherStytchUserIsLoggedWithBothIdsAndNotRetried() throws Exception {
        long danId = stack.users().seed("dan@example.com");
        createStytchUser("holder@example.com", Long.toString(danId));
        long refusalsBefore = metric("ExternalIdRefusals");

        HttpResponse<String> first = login("dan@example.com");
        assertThat(Browser.field(first, "outcome")).isEqualTo("LINKED");
        String dan = Browser.field(first, "stytchUserId");
        await("the refused write", () -> !emulator.userUpdates(dan).isEmpty());
        assertThat(emulator.userUpdates(dan).get(0).status()).isEqualTo(400);
        await("the refusal logged", () -> logs.text().contains("Stytch refused external_id [" + danId + "] for Stytch user "
                + dan + " (duplicate_user_external_id"));
        assertThat(logs.lines().stream().filter(l -> l.message().contains("refused external_id [" + danId + "]"))
                .map(l -> l.level().getName())).containsExactly("WARNING");
        assertThat(metric("ExternalIdRefusals")).isEqualTo(refusalsBefore + 1);

        assertThat(Browser.field(login("dan@example.com"), "outcome")).isEqualTo("ALREADY_LINKED");
        syncPoint("frank@example.com");
        assertThat(emulator.userUpdates(dan)).as("a refusal is remembered, not retried at every login").hasSize(1);
    }

    @Test
    void aUserImportedWithTheInternalIdAsExternalIdLinksThatRowWhateverItsEmail() throws Exception {
        long graceId = stack.users().seed("grace@old.example");
        long heidiRow = stack.users().seed("heidi@example.com");
        long ivanId = stack.users().seed("ivan@old.example");
        // a bulk import made these Stytch users ahead of time, each carrying the internal id as its external_id
        String grace = createStytchUser("grace@example.com", Long.toString(graceId));
        String ivan = createStytchUser("heidi@example.com", Long.toString(ivanId));

        HttpResponse<String> noEmailMatch = login("grace@example.com");
        assertThat(Browser.field(noEmailMatch, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(noEmailMatch, "userId")).isEqualTo(Long.toString(graceId));
        assertThat(Browser.field(noEmailMatch, "stytchUserId")).isEqualTo(grace);

        HttpResponse<String> otherRowsEmail = login("heidi@example.com");
        assertThat(Browser.field(otherRowsEmail, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(otherRowsEmail, "userId")).as("the external_id decides, not the email")
                .isEqualTo(Long.toString(ivanId));
        assertThat(stack.users().stytchUserIdOf(heidiRow)).isNull();
        assertThat(stack.users().stytchUserIdOf(ivanId)).isEqualTo(ivan);

        syncPoint("judy@example.com");
        assertThat(emulator.userUpdates(grace)).as("the external_id is already right: nothing to write").isEmpty();
        assertThat(emulator.userUpdates(ivan)).isEmpty();
    }

    /** users.create with an external_id, as a bulk import does. */
    String createStytchUser(String email, String externalId) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/v1/users"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (emulator.projectId() + ":" + emulator.secret()).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"external_id\":\"" + externalId + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Matcher m = Pattern.compile("\"user_id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static List<String> ids(List<UserUpdate> updates) {
        return updates.stream().map(UserUpdate::externalId).toList();
    }
}
