package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
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
class ConcurrentLoginsIT {
    private static final int IN_FLIGHT = 64;

    @AutoClose
    private AppStack stack;
    // one client for every browser: 64 connections at once, as from 64 people
    private final HttpClient http = Browser.newClient();

    @BeforeAll
    void start() throws Exception {
        stack = AppStack.startWithFilter(params -> params
                .put("jdbcMaximumPoolSize", "10")
                .put("stytchTimeoutMillis", "10000"));
    }

    /** One request to send: whose, which token, which session cookie (null: none). */
    private record Login(String person, boolean seeded, String token, String sessionId) {
    }

    @Test
    void keepsOneRowPerPersonAndOneLinkPerRowUnder64ConcurrentLogins() throws Exception {
        StytchEmulator emulator = stack.emulator();
        TestDatabase db = stack.db();
        UsersTable users = stack.users();
        Map<String, Long> seededIds = new LinkedHashMap<>();
        List<Login> logins = new ArrayList<>();
        // Emulator tokens are single-use: one minted per request, up front.
        for (int i = 0; i < 16; i++) { // first login of a new person
            String email = "new" + i + "@example.com";
            logins.add(new Login(email, false, emulator.magicLinkToken(email), null));
        }
        for (int i = 0; i < 16; i++) { // first login of an existing, unlinked user (mixed case in the table)
            String email = "existing" + i + "@example.com";
            seededIds.put(email, users.seed("Existing" + i + "@Example.com"));
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
            seededIds.put(email, users.seed(email));
            logins.add(new Login(email, true, emulator.magicLinkToken(email), startSession()));
            logins.add(new Login(email, true, emulator.magicLinkToken(email), startSession()));
        }
        long bystander = users.seed("bystander@example.com");
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
                    return new Browser(http).withSession(login.sessionId())
                            .callback(stack.appUrl() + "/authenticate", "magic_links", login.token());
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
                problems.add(login.person() + ": " + r.statusCode() + " " + r.body().replace("\n", " "));
                continue;
            }
            outcomes.computeIfAbsent(login.person(), k -> new ArrayList<>()).add(Browser.field(r, "outcome"));
            String stytchId = Browser.field(r, "stytchUserId");
            String userId = Browser.field(r, "userId");
            if (!stytchId.equals(stytchIds.getOrDefault(login.person(), stytchId))) {
                problems.add(login.person() + ": two Stytch ids reported: " + stytchId + ", " + stytchIds.get(login.person()));
            }
            if (!userId.equals(userIds.getOrDefault(login.person(), userId))) {
                problems.add(login.person() + ": two user ids reported: " + userId + ", " + userIds.get(login.person()));
            }
            stytchIds.put(login.person(), stytchId);
            userIds.put(login.person(), userId);
            if (!userId.equals(Browser.field(r, "sessionUserId"))) {
                problems.add(login.person() + ": session holds " + Browser.field(r, "sessionUserId") + ", not " + userId);
            }
            if (login.seeded() && !userId.equals(Long.toString(seededIds.get(login.person())))) {
                problems.add(login.person() + ": reported user " + userId + ", not the seeded row " + seededIds.get(login.person()));
            }
        }
        System.out.println("ConcurrentLoginsIT: " + IN_FLIGHT + " callbacks in " + tookMillis + " ms; statuses " + statuses);
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
        System.out.println("ConcurrentLoginsIT: outcomes " + outcomeCounts);
        assertThat(outcomes).hasSize(16 + 16 + 8 + 8);

        // the table: seeded rows each linked once, one new row per new person, nothing else
        assertThat(users.count()).isEqualTo(seededIds.size() + 1 + 16 + 8);
        assertThat(db.query("SELECT lower(email) AS email, count(*) AS n FROM users GROUP BY lower(email) HAVING count(*) > 1"))
                .as("duplicate emails").isEmpty();
        assertThat(db.query("SELECT stytch_user_id, count(*) AS n FROM users WHERE stytch_user_id IS NOT NULL"
                + " GROUP BY stytch_user_id HAVING count(*) > 1")).as("duplicate Stytch ids").isEmpty();
        for (Map.Entry<String, String> e : stytchIds.entrySet()) {
            String person = e.getKey();
            long userId = Long.parseLong(userIds.get(person));
            assertThat(users.stytchUserIdOf(userId))
                    .as("no lost link: the row of " + person + " carries the reported Stytch id").isEqualTo(e.getValue());
            assertThat(db.queryString("SELECT lower(email) FROM users WHERE id = ?", userId)).isEqualTo(person);
        }
        assertThat(users.stytchUserIdOf(bystander)).isNull();
    }

    private String startSession() throws Exception {
        Browser browser = new Browser(http);
        browser.get(stack.appUrl() + "/start");
        String session = browser.sessionId();
        assertThat(session).isNotBlank();
        return session;
    }
}
