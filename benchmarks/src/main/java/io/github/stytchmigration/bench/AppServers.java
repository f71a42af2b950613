package io.github.stytchmigration.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.CountingDataSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Several app servers on the run's {@code users} table (or another database's), as behind a load
 * balancer: each a Jetty server of its own (own port, own threads) whose {@code /app} runs its own filter
 * (own Stytch client, own HikariCP pool behind its own {@link CountingDataSource}). They share this JVM, its cores and its heap,
 * which separate machines would not: what they share as real servers do is the database and Stytch.
 */
final class AppServers implements AutoCloseable {
    private final StytchEmulator emulator;
    private final List<BenchServer> servers = new ArrayList<>();
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<CountingDataSource> counting = new ArrayList<>();
    private final Map<MigrationOutcome, AtomicLong> outcomes = new EnumMap<>(MigrationOutcome.class);

    private AppServers(Bench bench) {
        this.emulator = bench.emulator();
        for (MigrationOutcome o : MigrationOutcome.values()) {
            outcomes.put(o, new AtomicLong());
        }
    }

    /** Starts {@code count} servers, each with a pool of {@code poolSize} (minimum idle = maximum). */
    static AppServers start(Bench bench, int count, int poolSize, String name) throws Exception {
        return start(bench, n -> Bench.pool(bench.database(), poolSize, name + "-" + n), count);
    }

    /** The same on the {@code users} table of {@code database} instead of the run's. */
    static AppServers start(Bench bench, BenchDb database, int count, int poolSize, String name) throws Exception {
        return start(bench, n -> Bench.pool(database, poolSize, name + "-" + n), count);
    }

    /** Starts {@code count} servers, server {@code n} (from 1) on the pool {@code pools.apply(n)}. */
    private static AppServers start(Bench bench, IntFunction<HikariDataSource> pools, int count) throws Exception {
        AppServers servers = new AppServers(bench);
        try {
            MigrationListener listener = new MigrationListener() {
                @Override
                public void onSuccess(MigrationResult result) {
                    servers.outcomes.get(result.outcome()).incrementAndGet();
                }
            };
            for (int i = 0; i < count; i++) {
                HikariDataSource pool = pools.apply(i + 1);
                servers.pools.add(pool);
                CountingDataSource statements = new CountingDataSource(pool);
                servers.counting.add(statements);
                servers.servers.add(new BenchServer()
                        .context("/app", new BenchServlets.App(), bench.filter(statements, listener))
                        .start());
            }
        } catch (Exception | Error e) {
            servers.close();
            throw e;
        }
        return servers;
    }

    int size() {
        return servers.size();
    }

    /** The statement counter behind server {@code index}'s filter. */
    CountingDataSource counting(int index) {
        return counting.get(index);
    }

    List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (BenchServer server : servers) {
            ports.add(server.port());
        }
        return ports;
    }

    /** One callback per email, one after another, all to server {@code index}; each must end with {@code expected}. */
    Load.Run sendTo(int index, List<String> emails, MigrationOutcome expected) throws Exception {
        return send(List.of(servers.get(index).port()), emails, 1, expected);
    }

    /** One callback per email, {@code clients} at a time, the clients' connections spread round-robin over the servers. */
    Load.Run spread(List<String> emails, int clients, MigrationOutcome expected) throws Exception {
        return send(ports(), emails, clients, expected);
    }

    /** Mints one token per email (not timed), then sends the callbacks (timed); any other answer or outcome fails the run. */
    private Load.Run send(List<Integer> ports, List<String> emails, int clients, MigrationOutcome expected) throws Exception {
        List<String> paths = new ArrayList<>(emails.size());
        for (String email : emails) {
            paths.add("/app/authenticate?stytch_token_type=magic_links&token="
                    + URLEncoder.encode(emulator.magicLinkToken(email), StandardCharsets.UTF_8));
        }
        long before = outcomes.get(expected).get();
        Load.Run run = Load.run(ports, paths, clients);
        if (run.errors > 0) {
            throw new IllegalStateException(run.errors + " of " + paths.size() + " callbacks failed; first: " + run.firstError);
        }
        long got = outcomes.get(expected).get() - before;
        if (got != emails.size()) {
            throw new IllegalStateException("expected " + emails.size() + " " + expected + " outcomes, got " + got);
        }
        return run;
    }

    @Override
    public void close() {
        for (BenchServer server : servers) {
            server.close();
        }
        for (HikariDataSource pool : pools) {
            pool.close();
        }
    }
}
