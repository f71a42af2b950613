package io.github.stytchmigration.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.TestDatabase;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The apps that callbacks are sent to, on one Jetty server over the run's {@code users} table:
 * {@code /app} (the filter over a HikariCP pool of 10) and {@code /floor} (the hand-written floor over
 * its own pool of 10). A listener
 * counts the filter's outcomes, so every batch is checked to end as the measurement meant.
 */
final class CallbackApp implements AutoCloseable {
    private final TestDatabase database;
    private final StytchEmulator emulator;
    private final int clients;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final Map<MigrationOutcome, AtomicLong> outcomes = new EnumMap<>(MigrationOutcome.class);
    private BenchServer server;
    private int emailCounter;

    private CallbackApp(Bench bench) {
        this.database = bench.database();
        this.emulator = bench.emulator();
        this.clients = bench.mode().pick(8, 4); // closed-loop clients of a batch: full run, smoke run
        for (MigrationOutcome o : MigrationOutcome.values()) {
            outcomes.put(o, new AtomicLong());
        }
    }

    static CallbackApp start(Bench bench) throws Exception {
        CallbackApp app = new CallbackApp(bench);
        try {
            app.startServer(bench);
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
        return app;
    }

    private void startServer(Bench bench) throws Exception {
        HikariDataSource filterPool = pool(10, "bench-filter");
        HikariDataSource floorPool = pool(10, "bench-floor");
        MigrationListener listener = new MigrationListener() {
            @Override
            public void onSuccess(MigrationResult result) {
                outcomes.get(result.outcome()).incrementAndGet();
            }
        };
        server = new BenchServer()
                .context("/app", new BenchServlets.App(), bench.filter(filterPool, listener))
                .context("/floor", new BenchServlets.Floor(emulator.baseUrl(), emulator.projectId(), emulator.secret(),
                        floorPool, FilterFactory.STYTCH_TIMEOUT_MILLIS), null)
                .start();
    }

    private HikariDataSource pool(int size, String name) {
        HikariDataSource pool = Bench.pool(database, size, name);
        pools.add(pool);
        return pool;
    }

    /** Concurrent clients of a batch sent to {@code /app} or {@code /floor}. */
    int clients() {
        return clients;
    }

    /** {@code n} emails never used before in this run. */
    List<String> emails(String prefix, int n) {
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(prefix + "-" + (++emailCounter) + "@bench.example");
        }
        return list;
    }

    /** Rows of {@code users} with these emails and no Stytch user id: each one's first login is LINKED. */
    void seedUnlinked(List<String> emails) throws SQLException {
        seedUnlinked(database, emails);
    }

    /** {@link #seedUnlinked(List)} in any {@code users} table of the contract. */
    static void seedUnlinked(TestDatabase database, List<String> emails) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO users (email) VALUES (?)")) {
            for (String email : emails) {
                ps.setString(1, email);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Mints one token per email (not timed), then sends the callbacks (timed); any non-200 answer fails the run. */
    Load.Run send(String context, List<String> emails) throws Exception {
        List<String> paths = new ArrayList<>(emails.size());
        for (String email : emails) {
            String token = URLEncoder.encode(emulator.magicLinkToken(email), StandardCharsets.UTF_8);
            paths.add(context + "/authenticate?stytch_token_type=magic_links&token=" + token);
        }
        Load.Run run = Load.run(server.port(), paths, clients);
        if (run.errors > 0) {
            throw new IllegalStateException(run.errors + " of " + paths.size() + " callbacks to " + context
                    + " failed; first: " + run.firstError);
        }
        return run;
    }

    /** {@link #send}, then checks that every callback ended with {@code expected}. */
    Load.Run send(String context, List<String> emails, MigrationOutcome expected) throws Exception {
        long before = outcomes.get(expected).get();
        Load.Run run = send(context, emails);
        long got = outcomes.get(expected).get() - before;
        if (got != emails.size()) {
            throw new IllegalStateException("expected " + emails.size() + " " + expected + " outcomes, got " + got);
        }
        return run;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        for (HikariDataSource pool : pools) {
            pool.close();
        }
    }
}
