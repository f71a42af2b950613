package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 64 callbacks released at once against the filter in Jetty (default thread pool, the filter's own
 * HikariCP pool of 10): first logins of new and of existing users, double clicks (two tokens of one
 * person in one session) and two tabs (two tokens, two sessions). Every request succeeds, every person
 * ends with exactly one row carrying the Stytch id the responses reported, and the outcomes per person
 * are one CREATED or LINKED and the rest ALREADY_LINKED.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrentLoginsTest {
    private static final int IN_FLIGHT = 64;

    @TempDir
    static Path tmp;

    private TesterWebApp.Stack stack;
    private StytchEmulator emulator;
    private TestDatabase db;
    private TesterWebApp app;
    private final HttpClient http = TesterWebApp.newClient();

    @BeforeAll
    void start() throws Exception {
        stack = TesterWebApp.Stack.start(tmp.resolve("webapp"), params -> {
            params.put("jdbcMaximumPoolSize", "10");
            params.put("stytchTimeoutMillis", "10000");
        });
        emulator = stack.emulator;
        db = stack.db;
        app = stack.app;
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    /** One request to send: whose, which token, which session cookie (null: none). */
    private static final class Login {
        final String person;
        final boolean seeded;
        final String token;
        final String sessionId;

        Login(String person, boolean seeded, String token, String sessionId) {
            this.person = person;
            this.seeded = seeded;
            this.token = token;
            this.sessionId = sessionId;
        }
    }

    @Test
    void keepsOneRowPerPersonAndOneLinkPerRowUnder64ConcurrentLogins() throws Exception {
        Map<String, Long> seededIds = new LinkedHashMap<>();
        List<Login> logins = new ArrayList<>();
        // Emulator tokens are single-use: one minted per request, up front.
        for (int i = 0; i < 16; i++) { // first login of a new person
            String email = "new" + i + "@example.com";
            logins.add(new Login(email, false, emulator.magicLinkToken(email), null));
        }
        for (int i = 0; i < 16; i++) { // first login of an existing, unlinked user (mixed case in the table)
            String email = "existing" + i + "@example.com";
            seededIds.put(email, TesterWebApp.seed(db, "Existing" + i + "@Example.com", null));
            logins.add(new Login(email, true, emulator.magicLinkToken(email), null));
        }
        for (int i = 0; i < 8; i++) { // double click: two tokens of one new person, same session
            String email = "double" + i + "@example.com";
            String session = startSession();
            logins.add(new Login(email, false, emulator.magicLinkToken(email), session));
            logins.add(new Login(email, false, emulator.magicLinkToken(email), session));
        }
        for (int i = 0; i < 8; i++) { // two tabs: two tokens of one existing person, two sessions
            String email = "tabs" + i + "@example.com";
            seededIds.put(email, TesterWebApp.seed(db, email, null));
            logins.add(new Login(email, true, emulator.magicLinkToken(email), startSession()));
            logins.add(new Login(email, true, emulator.magicLinkToken(email), startSession()));
        }
        long bystander = TesterWebApp.seed(db, "bystander@example.com", null);
        assertThat(logins).hasSize(IN_FLIGHT);
        Collections.shuffle(logins, new java.util.Random(42));

        ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
        CountDownLatch ready = new CountDownLatch(IN_FLIGHT);
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        long started;
        try {
            for (Login login : logins) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    gate.await();
                    return TesterWebApp.callback(http, app.appUrl(), "magic_links", login.token, login.sessionId);
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            started = System.nanoTime();
            gate.countDown();
            for (Future<HttpResponse<String>> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        Map<String, List<String>> outcomes = new TreeMap<>();
        Map<String, String> stytchIds = new TreeMap<>();
        Map<String, String> userIds = new TreeMap<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < logins.size(); i++) {
            Login login = logins.get(i);
            HttpResponse<String> r = futures.get(i).get();
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() != 200) {
                problems.add(login.person + ": " + r.statusCode() + " " + r.body().replace("\n", " "));
                continue;
            }
            String body = r.body();
            outcomes.computeIfAbsent(login.person, k -> new ArrayList<>()).add(TesterWebApp.field(body, "outcome"));
            String stytchId = TesterWebApp.field(body, "stytchUserId");
            String userId = TesterWebApp.field(body, "userId");
            if (!stytchId.equals(stytchIds.getOrDefault(login.person, stytchId))) {
                problems.add(login.person + ": two Stytch ids reported: " + stytchId + ", " + stytchIds.get(login.person));
            }
            if (!userId.equals(userIds.getOrDefault(login.person, userId))) {
                problems.add(login.person + ": two user ids reported: " + userId + ", " + userIds.get(login.person));
            }
            stytchIds.put(login.person, stytchId);
            userIds.put(login.person, userId);
            if (!userId.equals(TesterWebApp.field(body, "sessionUserId"))) {
                problems.add(login.person + ": session holds " + TesterWebApp.field(body, "sessionUserId") + ", not " + userId);
            }
            if (login.seeded && !userId.equals(Long.toString(seededIds.get(login.person)))) {
                problems.add(login.person + ": reported user " + userId + ", not the seeded row " + seededIds.get(login.person));
            }
        }
        System.out.println("ConcurrentLoginsTest: " + IN_FLIGHT + " callbacks in " + tookMillis + " ms; statuses " + statuses);
        assertThat(problems).as("problems").isEmpty();

        Map<String, Integer> outcomeCounts = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : outcomes.entrySet()) {
            List<String> list = e.getValue();
            boolean seeded = seededIds.containsKey(e.getKey());
            String first = seeded ? "LINKED" : "CREATED";
            List<String> expected = new ArrayList<>(Collections.nCopies(list.size() - 1, "ALREADY_LINKED"));
            expected.add(first);
            assertThat(list).as("outcomes of " + e.getKey()).containsExactlyInAnyOrderElementsOf(expected);
            list.forEach(o -> outcomeCounts.merge(o, 1, Integer::sum));
        }
        System.out.println("ConcurrentLoginsTest: outcomes " + outcomeCounts);
        assertThat(outcomes).hasSize(16 + 16 + 8 + 8);

        // the table: seeded rows each linked once, one new row per new person, nothing else
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(seededIds.size() + 1 + 16 + 8);
        assertThat(db.query("SELECT lower(email) AS email, count(*) AS n FROM users GROUP BY lower(email) HAVING count(*) > 1"))
                .as("duplicate emails").isEmpty();
        assertThat(db.query("SELECT stytch_user_id, count(*) AS n FROM users WHERE stytch_user_id IS NOT NULL"
                + " GROUP BY stytch_user_id HAVING count(*) > 1")).as("duplicate Stytch ids").isEmpty();
        for (Map.Entry<String, String> e : stytchIds.entrySet()) {
            String person = e.getKey();
            assertThat(db.queryString("SELECT stytch_user_id FROM users WHERE id = " + userIds.get(person)))
                    .as("no lost link: the row of " + person + " carries the reported Stytch id").isEqualTo(e.getValue());
            assertThat(db.queryString("SELECT lower(email) FROM users WHERE id = " + userIds.get(person))).isEqualTo(person);
        }
        assertThat(db.queryString("SELECT stytch_user_id FROM users WHERE id = " + bystander)).isNull();
    }

    private String startSession() throws Exception {
        HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.appUrl() + "/start"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        // the cookie value as the container set it (Jetty's may carry a node suffix the id lacks)
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .findFirst().orElseThrow();
        String session = cookie.substring("JSESSIONID=".length()).split(";")[0];
        assertThat(session).isNotBlank();
        return session;
    }
}
