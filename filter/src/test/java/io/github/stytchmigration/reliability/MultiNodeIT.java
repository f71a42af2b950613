package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.Hold;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppNode;
import io.github.stytchmigration.testing.AppNodes;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Two simultaneous first logins give one row, across threads and servers", with real servers: three
 * app nodes, each a JVM of its own ({@link AppNode}: Jetty through a real {@code web.xml}, its own
 * {@code MigrationFilter} and its own HikariCP pool), one PostgreSQL, and one Stytch (the emulator, in
 * this JVM, which the nodes reach over HTTP). Nothing coordinates the nodes but the database's unique
 * index on the Stytch id column.
 *
 * <p>The races are made to happen: the emulator holds the authenticate answers until every racing
 * login is waiting for one, then sends them together ({@link StytchEmulator#holdAuthenticateAnswers}), so
 * all of them reach the database at once, from different JVMs; and the test holds the table's writes
 * until every racing login has read it, so all of them decide on the same read, the worst interleaving.
 * Each round then checks, in the nodes' logs, that all but one login lost and re-read. The storm spreads
 * a few hundred logins round-robin, as a load balancer without sticky sessions would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiNodeIT {
    private static final int NODES = 3;
    /** Two racing logins per node: races within a node and across nodes at once. */
    private static final int RACERS = 2 * NODES;
    private static final int ROUNDS = 5;
    /** Each node's own pool: the most connections a node ever holds. */
    private static final int POOL_SIZE = 5;
    private static final String APPLICATION_NAME = "stytch-migration-node";
    /** Generous: a held answer waits for the slowest node, and two cores run every JVM here. */
    private static final String STYTCH_TIMEOUT_MILLIS = "20000";
    private static final Duration HOLD_TIMEOUT = Duration.ofSeconds(15);
    /** The store's DEBUG lines for a lost race: a unique violation, or a guarded update that found the row changed. */
    private static final Pattern LOST_RACE = Pattern.compile("unique violation|the row changed");

    private Path dir;
    private StytchEmulator emulator;
    private TestDatabase db;
    private UsersTable users;
    private AppNodes nodes;
    // one client for every browser: many connections at once, as from many people
    private final HttpClient http = Browser.newClient();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("stytch-migration-multinode");
        emulator = StytchEmulator.start();
        db = TestDatabase.create();
        users = UsersTable.create(db);
        Path webapp = WebApp.withMigrationFilter(InitParams.stytch(emulator).jdbc(db)
                        // the nodes' connections, told apart from the test's in pg_stat_activity
                        .put("jdbcUrl", db.jdbcUrl() + "?ApplicationName=" + APPLICATION_NAME)
                        .put("jdbcMaximumPoolSize", Integer.toString(POOL_SIZE))
                        .put("stytchTimeoutMillis", STYTCH_TIMEOUT_MILLIS))
                .writeTo(dir.resolve("webapp"));
        long started = System.nanoTime();
        nodes = AppNodes.start(NODES, webapp, "/app");
        System.out.println("MultiNodeIT: " + NODES + " app nodes serving after " + millisSince(started) + " ms: " + nodes.nodes());
        // one login per node first: no node pays its first-request costs inside a race
        for (AppNode node : nodes.nodes()) {
            HttpResponse<String> r = login(node.appUrl(), emulator.magicLinkToken("warm-up-" + node.port() + "@example.com"));
            assertThat(r.statusCode()).as("warm-up login on " + node).isEqualTo(200);
        }
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (nodes != null) {
                nodes.close();
            }
        } finally {
            if (emulator != null) {
                emulator.close();
            }
            if (db != null) {
                db.close();
            }
            if (dir != null) {
                TestDatabase.deleteTree(dir);
            }
        }
    }

    @BeforeEach
    void emptyTable() {
        users.truncate();
    }

    @Test
    void racingFirstLoginsOfOneNewPersonOnEveryNodeCreateOneRow() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String email = "racer" + round + "@example.com";
            long lostBefore = lostRaces();

            List<HttpResponse<String>> answers = race(email);

            assertOnePersonSettled(email, answers, "CREATED");
            assertThat(lostRaces() - lostBefore).as("unique violations the losing nodes re-read").isEqualTo(RACERS - 1);
            assertThat(db.count("SELECT count(*) FROM users WHERE lower(email) = ?", email)).as("rows of " + email).isEqualTo(1);
        }
        assertThat(users.count()).isEqualTo(ROUNDS);
        System.out.println("MultiNodeIT: " + ROUNDS + " rounds of " + RACERS + " racing first logins of a new person on "
                + NODES + " nodes: one row each, " + (RACERS - 1) + " lost races re-read per round");
    }

    @Test
    void racingFirstLoginsOfOneExistingPersonOnEveryNodeLinkTheRowOnce() throws Exception {
        long bystander = users.seed("bystander@example.com");
        for (int round = 0; round < ROUNDS; round++) {
            String email = "legacy" + round + "@example.com";
            long id = users.seed("Legacy" + round + "@Example.com");
            long lostBefore = lostRaces();

            List<HttpResponse<String>> answers = race(email);

            String stytchUserId = assertOnePersonSettled(email, answers, "LINKED");
            assertThat(answers).extracting(r -> Browser.field(r, "userId")).as("every answer names the seeded row")
                    .containsOnly(Long.toString(id));
            assertThat(users.stytchUserIdOf(id)).isEqualTo(stytchUserId);
            assertThat(lostRaces() - lostBefore).as("guarded updates that found the row linked, re-read").isEqualTo(RACERS - 1);
        }
        assertThat(users.count()).as("no row created").isEqualTo(ROUNDS + 1);
        assertThat(users.stytchUserIdOf(bystander)).isNull();
        System.out.println("MultiNodeIT: " + ROUNDS + " rounds of " + RACERS + " racing first logins of an existing row on "
                + NODES + " nodes: linked once each, " + (RACERS - 1) + " lost races re-read per round");
    }

    /** One request to send: whose, which token, and whether the person has a row already. */
    private record Login(String person, boolean seeded, String token) {
    }

    @Test
    void aStormOfMixedLoginsSpreadOverTheNodesKeepsExactRows() throws Exception {
        int people = 40;
        int logins = 300;
        int inFlight = 24;
        Map<String, Long> seededIds = new LinkedHashMap<>();
        List<String> persons = new ArrayList<>();
        for (int i = 0; i < people; i++) {
            String email = (i % 2 == 0 ? "storm-new" : "storm-old") + i + "@example.com";
            persons.add(email);
            if (i % 2 == 1) {
                seededIds.put(email, users.seed(email.toUpperCase(Locale.ROOT)));
            }
        }
        long bystander = users.seed("storm-bystander@example.com");
        // Emulator tokens are single-use: one minted per login, up front.
        List<Login> storm = new ArrayList<>();
        for (int i = 0; i < logins; i++) {
            String person = persons.get(i % people);
            storm.add(new Login(person, seededIds.containsKey(person), emulator.magicLinkToken(person)));
        }
        Collections.shuffle(storm, new Random(7));
        long lostBefore = lostRaces();

        ExecutorService client = Executors.newFixedThreadPool(inFlight);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        ConnectionSampler connections = new ConnectionSampler();
        long started = System.nanoTime();
        try {
            for (Login login : storm) {
                String url = nodes.nextUrl();
                futures.add(client.submit(() -> login(url, login.token())));
            }
            for (Future<HttpResponse<String>> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            client.shutdownNow();
            connections.stop();
        }
        long tookMillis = millisSince(started);

        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, List<String>> outcomes = new TreeMap<>();
        Map<String, String> userIds = new TreeMap<>();
        Map<String, String> stytchIds = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < storm.size(); i++) {
            Login login = storm.get(i);
            HttpResponse<String> r = futures.get(i).get();
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() != 200) {
                problems.add(login.person() + ": " + r.statusCode() + " " + r.body().replace("\n", " "));
                continue;
            }
            outcomes.computeIfAbsent(login.person(), k -> new ArrayList<>()).add(Browser.field(r, "outcome"));
            String userId = Browser.field(r, "userId");
            String stytchId = Browser.field(r, "stytchUserId");
            if (!userId.equals(userIds.getOrDefault(login.person(), userId))) {
                problems.add(login.person() + ": two user ids reported: " + userId + ", " + userIds.get(login.person()));
            }
            if (!stytchId.equals(stytchIds.getOrDefault(login.person(), stytchId))) {
                problems.add(login.person() + ": two Stytch ids reported: " + stytchId + ", " + stytchIds.get(login.person()));
            }
            userIds.put(login.person(), userId);
            stytchIds.put(login.person(), stytchId);
            if (login.seeded() && !userId.equals(Long.toString(seededIds.get(login.person())))) {
                problems.add(login.person() + ": reported user " + userId + ", not the seeded row " + seededIds.get(login.person()));
            }
        }
        System.out.println("MultiNodeIT: " + logins + " logins of " + people + " people over " + NODES + " nodes, " + inFlight
                + " in flight, in " + tookMillis + " ms (" + (logins * 1000L / Math.max(1, tookMillis)) + "/s); statuses "
                + statuses + "; lost races the nodes' stores re-read: " + (lostRaces() - lostBefore)
                + "; most connections the nodes held at once: " + connections.peak() + " (pools: " + NODES + " x " + POOL_SIZE + ")");
        assertThat(connections.peak()).as("each node holds at most its pool's connections").isBetween(1L, (long) NODES * POOL_SIZE);
        assertThat(problems).as("answers other than 200, or answers that disagree").isEmpty();

        for (Map.Entry<String, List<String>> e : outcomes.entrySet()) {
            List<String> expected = new ArrayList<>(Collections.nCopies(e.getValue().size() - 1, "ALREADY_LINKED"));
            expected.add(seededIds.containsKey(e.getKey()) ? "LINKED" : "CREATED");
            assertThat(e.getValue()).as("outcomes of " + e.getKey()).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(outcomes).hasSize(people);
        // the table: each seeded row linked once, one row per new person, nothing else
        assertThat(users.count()).isEqualTo(people + 1);
        assertThat(db.query("SELECT lower(email) AS email FROM users GROUP BY lower(email) HAVING count(*) > 1"))
                .as("duplicate emails").isEmpty();
        for (String person : persons) {
            long userId = Long.parseLong(userIds.get(person));
            assertThat(users.stytchUserIdOf(userId)).as("the row of " + person + " carries the reported Stytch id")
                    .isEqualTo(stytchIds.get(person));
            assertThat(db.queryString("SELECT lower(email) FROM users WHERE id = ?", userId)).isEqualTo(person);
        }
        assertThat(users.stytchUserIdOf(bystander)).isNull();
        for (AppNode node : nodes.nodes()) {
            String log = node.log();
            assertThat(storm).as("no token in the log of " + node).noneMatch(login -> log.contains(login.token()));
        }
    }

    @Test
    void aLoginLivesInTheHttpSessionOfTheNodeThatMadeIt() throws Exception {
        // The HttpSession is the container's: without sticky sessions or session replication, the next
        // request of a logged-in browser that lands on another node is not logged in there.
        Browser browser = new Browser(http);
        HttpResponse<String> login = browser.callback(nodes.node(0).appUrl() + "/authenticate", "magic_links",
                emulator.magicLinkToken("sticky@example.com"));
        assertThat(login.statusCode()).isEqualTo(200);
        String userId = Browser.field(login, "userId");

        HttpResponse<String> sameNode = browser.get(nodes.node(0).appUrl() + "/account");
        HttpResponse<String> otherNode = browser.get(nodes.node(1).appUrl() + "/account");

        assertThat(Browser.field(sameNode, "sessionUserId")).isEqualTo(userId);
        assertThat(Browser.field(otherNode, "sessionUserId")).as("logged in on another node").isNull();
    }

    /**
     * {@link #RACERS} first logins of {@code email}, spread over the nodes, made to race twice over: the
     * emulator holds their Stytch answers until all of them are waiting, then sends them together; and
     * the test holds every write to the users table (reads go on) until all of them have read the table
     * and wait to write, then lets them go together. So every login decides on the same empty read,
     * from three JVMs, and all but one lose at the unique index or at the guarded update.
     */
    private List<HttpResponse<String>> race(String email) throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            tokens.add(emulator.magicLinkToken(email));
        }
        ExecutorService client = Executors.newFixedThreadPool(RACERS);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        try (Connection writes = db.dataSource().getConnection(); Statement st = writes.createStatement()) {
            writes.setAutoCommit(false);
            // SHARE conflicts with the ROW EXCLUSIVE lock of INSERT and UPDATE, not with SELECT's ACCESS SHARE
            st.execute("LOCK TABLE users IN SHARE MODE");
            Hold hold = emulator.holdAuthenticateAnswers(RACERS, HOLD_TIMEOUT);
            for (int i = 0; i < RACERS; i++) {
                String url = nodes.node(i % NODES).appUrl();
                String token = tokens.get(i);
                futures.add(client.submit((Callable<HttpResponse<String>>) () -> login(url, token)));
            }
            assertThat(awaitWritersWaiting(RACERS)).as("every racing login read the table and waits to write").isEqualTo(RACERS);
            writes.commit();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(hold.isTimedOut()).as("all " + RACERS + " Stytch answers were held, then sent together").isFalse();
            assertThat(hold.held()).isEqualTo(RACERS);
            return answers;
        } finally {
            client.shutdownNow();
        }
    }

    /**
     * Waits (at most 4 s: the filter's statements time out after 5) until {@code writers} sessions wait for
     * a lock (the test holds the only one they can wait for); returns how many do.
     */
    private long awaitWritersWaiting(int writers) throws InterruptedException {
        String waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        long n = db.count(waiting);
        while (n < writers && System.nanoTime() < deadline) {
            Thread.sleep(10);
            n = db.count(waiting);
        }
        return n;
    }

    /**
     * Every answer is 200 and names the same user and Stytch user; exactly one is {@code firstOutcome},
     * the rest {@code ALREADY_LINKED}; the row carries that Stytch id. Returns the Stytch user id.
     */
    private String assertOnePersonSettled(String email, List<HttpResponse<String>> answers, String firstOutcome) {
        assertThat(answers).as("statuses for " + email).extracting(HttpResponse::statusCode).containsOnly(200);
        List<String> outcomes = answers.stream().map(r -> Browser.field(r, "outcome")).toList();
        List<String> expected = new ArrayList<>(Collections.nCopies(RACERS - 1, "ALREADY_LINKED"));
        expected.add(firstOutcome);
        assertThat(outcomes).as("outcomes for " + email).containsExactlyInAnyOrderElementsOf(expected);
        String userId = Browser.field(answers.get(0), "userId");
        String stytchUserId = Browser.field(answers.get(0), "stytchUserId");
        assertThat(answers).extracting(r -> Browser.field(r, "userId")).as("user ids for " + email).containsOnly(userId);
        assertThat(answers).extracting(r -> Browser.field(r, "stytchUserId")).as("Stytch ids for " + email).containsOnly(stytchUserId);
        assertThat(users.stytchUserIdOf(Long.parseLong(userId))).isEqualTo(stytchUserId);
        assertThat(db.count("SELECT count(*) FROM users WHERE stytch_user_id = ?", stytchUserId)).isEqualTo(1);
        return stytchUserId;
    }

    /** Samples every 20 ms how many connections the nodes' pools hold to the test database, until stopped. */
    private final class ConnectionSampler {
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread = new Thread(this::sample, "connection-sampler");
        private volatile boolean running = true;

        ConnectionSampler() {
            thread.setDaemon(true);
            thread.start();
        }

        private void sample() {
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                         + " WHERE datname = current_database() AND application_name = ?")) {
                ps.setString(1, APPLICATION_NAME);
                while (running) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        peak.accumulateAndGet(rs.getLong(1), Math::max);
                    }
                    Thread.sleep(20);
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException("connection sampling failed", e);
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
        }

        long peak() {
            return peak.get();
        }
    }

    private HttpResponse<String> login(String appUrl, String token) throws Exception {
        return new Browser(http).callback(appUrl + "/authenticate", "magic_links", token);
    }

    /** Lost races the nodes' stores logged so far (DEBUG lines of the retry runner), over every node. */
    private long lostRaces() {
        long n = 0;
        for (AppNode node : nodes.nodes()) {
            Matcher m = LOST_RACE.matcher(node.log());
            while (m.find()) {
                n++;
            }
        }
        return n;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
