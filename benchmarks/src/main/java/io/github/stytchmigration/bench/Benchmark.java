package io.github.stytchmigration.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationFilter;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.jdbc.JdbcUserStore;
import io.github.stytchmigration.internal.jdbc.SchemaCheck;
import io.github.stytchmigration.internal.jdbc.UserTableMapping;
import io.github.stytchmigration.testing.CountingDataSource;
import io.github.stytchmigration.testing.TestDatabase;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import javax.sql.DataSource;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The benchmark harness: five measurements side by side in one JVM, a table, and a last line
 * {@code BENCHMARK {json}}. {@code --full} (the default) for the real figures, {@code --smoke} for a
 * few-second run with tiny sizes (the test suite's check that every measurement still runs).
 * {@code --only N[,N...]} runs only those measurements (1-5), e.g. {@code --only 4} for the scale one.
 * {@code --out DIR} for {@code results.json}, {@code benchmark.png} and {@code output.txt}.
 * How each figure is obtained: BENCHMARKS.md at the repository root.
 */
public final class Benchmark {
    static final String LINE_PREFIX = "BENCHMARK ";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sizes of a run. */
    static final class Sizes {
        final String mode;
        final int passClients;
        final long passWarmMillis;
        final long passRoundMillis;
        final int passRounds;
        final boolean jmhFork;
        final int jmhWarmups;
        final int jmhIterations;
        final long jmhIterationMillis;
        final int callbackClients;
        final int callbacksPerRound;
        final int callbackRounds;
        final int countsPerOutcome;
        final int scaleSmall;
        final int scaleLarge;
        final int scaleRounds;
        final int scaleOpsPerRound;
        final int memoryFirst;
        final int memorySecond;
        final int memoryBatch;

        Sizes(String mode, int passClients, long passWarmMillis, long passRoundMillis, int passRounds, boolean jmhFork,
              int jmhWarmups, int jmhIterations, long jmhIterationMillis, int callbackClients, int callbacksPerRound,
              int callbackRounds, int countsPerOutcome, int scaleSmall, int scaleLarge, int scaleRounds,
              int scaleOpsPerRound, int memoryFirst, int memorySecond, int memoryBatch) {
            this.mode = mode;
            this.passClients = passClients;
            this.passWarmMillis = passWarmMillis;
            this.passRoundMillis = passRoundMillis;
            this.passRounds = passRounds;
            this.jmhFork = jmhFork;
            this.jmhWarmups = jmhWarmups;
            this.jmhIterations = jmhIterations;
            this.jmhIterationMillis = jmhIterationMillis;
            this.callbackClients = callbackClients;
            this.callbacksPerRound = callbacksPerRound;
            this.callbackRounds = callbackRounds;
            this.countsPerOutcome = countsPerOutcome;
            this.scaleSmall = scaleSmall;
            this.scaleLarge = scaleLarge;
            this.scaleRounds = scaleRounds;
            this.scaleOpsPerRound = scaleOpsPerRound;
            this.memoryFirst = memoryFirst;
            this.memorySecond = memorySecond;
            this.memoryBatch = memoryBatch;
        }

        /** Development aid: run only the listed measurements ("1,2"); the table then lacks the others. */
        String onlyList = "1,2,3,4,5";

        Sizes only(String list) {
            onlyList = list;
            return this;
        }

        boolean runs(int measurement) {
            return onlyList.matches(".*\\b" + measurement + "\\b.*");
        }

        static final Sizes FULL = new Sizes("full", 8, 3_000, 2_000, 11, true, 3, 5, 1_000,
                8, 600, 5, 30, 10_000, 1_000_000, 11, 400, 1_000, 100_000, 1_000);
        static final Sizes SMOKE = new Sizes("smoke", 4, 100, 150, 2, false, 1, 1, 100,
                4, 12, 1, 3, 1_000, 5_000, 1, 10, 20, 60, 20);
    }

    private final Sizes sizes;
    private final PrintStream out;
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String[]> table = new ArrayList<>();
    private final BenchChart chart = new BenchChart();

    private TestDatabase db;
    private StytchEmulator emulator;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<MigrationOutcome, AtomicLong> outcomes = new EnumMap<>(MigrationOutcome.class);
    private int emailCounter;

    private Benchmark(Sizes sizes, PrintStream out) {
        this.sizes = sizes;
        this.out = out;
        for (MigrationOutcome o : MigrationOutcome.values()) {
            outcomes.put(o, new AtomicLong());
        }
    }

    public static void main(String[] args) throws Exception {
        Sizes sizes = Sizes.FULL;
        Path dir = Paths.get("target", "bench");
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full":
                    sizes = Sizes.FULL;
                    break;
                case "--smoke":
                    sizes = Sizes.SMOKE;
                    break;
                case "--out":
                    dir = Paths.get(args[++i]);
                    break;
                case "--only":
                    only = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument [" + args[i] + "]; use --full, --smoke, --only N[,N...], --out DIR");
            }
        }
        if (only != null) {
            sizes = sizes.only(only);
        }
        run(sizes, dir, System.out);
        // the SDK's and Jetty's non-daemon threads must not keep the forked JVM alive
        System.exit(0);
    }

    /** Runs every measurement, prints progress, the table and the final line to {@code out}; writes {@code dir}. */
    static Map<String, Object> run(Sizes sizes, Path dir, PrintStream out) throws Exception {
        Files.createDirectories(dir);
        Benchmark b = new Benchmark(sizes, out);
        LogSink sink = LogSink.install();
        try {
            b.runAll();
        } finally {
            b.closeAll();
            sink.close();
        }
        String text = b.report();
        out.print(text);
        out.flush();
        Files.writeString(dir.resolve("output.txt"), text);
        Files.writeString(dir.resolve("results.json"), json(b.json) + "\n");
        if (sizes.onlyList.equals("1,2,3,4,5")) {
            b.chart.write(dir.resolve("benchmark.png"));
        }
        return b.json;
    }

    private void runAll() throws Exception {
        long t0 = System.nanoTime();
        json.put("mode", sizes.mode);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        json.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        progress("machine: " + json.get("cores") + " cores, " + json.get("java") + ", max heap " + json.get("max_heap_mb") + " MB");

        db = TestDatabase.create();
        closeables.add(db);
        db.createDefaultUsersTable();
        emulator = StytchEmulator.start();
        closeables.add(emulator);

        if (sizes.runs(1)) {
            passThrough();
        }
        if (sizes.runs(1) || sizes.onlyList.contains("jmh")) {
            jmh();
        }
        if (sizes.runs(2) || sizes.runs(3) || sizes.runs(5)) {
            callbacks();
        }
        if (sizes.runs(4)) {
            scale();
        }
        if (sizes.runs(5)) {
            memory();
        }
        json.put("seconds", Math.round((System.nanoTime() - t0) / 1e9));
    }

    // ---------------------------------------------------------------- 1. pass-through

    private void passThrough() throws Exception {
        progress("1/5 pass-through: Jetty with vs without the filter, " + sizes.passClients + " clients, "
                + sizes.passRounds + " interleaved rounds of " + sizes.passRoundMillis + " ms");
        HikariDataSource pool = pool(db, 4, "bench-pass");
        MigrationFilter filter = new MigrationFilter(config(pool, null));
        BenchServer server = new BenchServer()
                .context("/with", new BenchServlets.Hello(), filter)
                .context("/without", new BenchServlets.Hello(), null)
                .start();
        closeables.add(0, server);
        int port = server.port();
        for (int i = 0; i < 2; i++) {
            Load.throughput(port, "/with/account", sizes.passClients, sizes.passWarmMillis);
            Load.throughput(port, "/without/account", sizes.passClients, sizes.passWarmMillis);
        }
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < sizes.passRounds; r++) {
            double a;
            double b;
            if (r % 2 == 0) {
                a = Load.throughput(port, "/with/account", sizes.passClients, sizes.passRoundMillis);
                b = Load.throughput(port, "/without/account", sizes.passClients, sizes.passRoundMillis);
            } else {
                b = Load.throughput(port, "/without/account", sizes.passClients, sizes.passRoundMillis);
                a = Load.throughput(port, "/with/account", sizes.passClients, sizes.passRoundMillis);
            }
            with.add(a);
            without.add(b);
            ratios.add(a / b);
        }
        server.close();
        closeables.remove(server);
        pool.close();
        double ratio = Stats.median(ratios);
        json.put("passthrough_rps_with", round(Stats.median(with), 0));
        json.put("passthrough_rps_without", round(Stats.median(without), 0));
        json.put("passthrough_ratio", round(ratio, 3));
        json.put("passthrough_ratio_min", round(Stats.min(ratios), 3));
        json.put("passthrough_ratio_max", round(Stats.max(ratios), 3));
        row("1 pass-through req/s, with filter", Stats.spread(with, "%.0f"), "", "");
        row("1 pass-through req/s, without", Stats.spread(without, "%.0f"), "", "");
        row("1 pass-through ratio with/without", Stats.spread(ratios, "%.3f"), ">= 0.98", verdict(ratio >= 0.98));
        chart.passThrough(Stats.median(with), Stats.median(without));
    }

    private void jmh() throws Exception {
        progress("1/5 JMH: doFilter on a non-callback request vs an empty filter ("
                + (sizes.jmhFork ? "forked" : "in-process") + ")");
        System.setProperty(PassThroughJmh.JDBC_URL, db.jdbcUrl());
        System.setProperty(PassThroughJmh.JDBC_USER, db.user());
        Options options = new OptionsBuilder()
                .include(PassThroughJmh.class.getName() + "\\.")
                .forks(sizes.jmhFork ? 1 : 0)
                .jvmArgsAppend("-D" + PassThroughJmh.JDBC_URL + "=" + db.jdbcUrl(),
                        "-D" + PassThroughJmh.JDBC_USER + "=" + db.user(), "-D" + PassThroughJmh.QUIET + "=true", "-Xms256m", "-Xmx256m")
                .warmupIterations(sizes.jmhWarmups)
                .warmupTime(TimeValue.milliseconds(sizes.jmhIterationMillis))
                .measurementIterations(sizes.jmhIterations)
                .measurementTime(TimeValue.milliseconds(sizes.jmhIterationMillis))
                .threads(1)
                .shouldFailOnError(true)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (RunResult result : new Runner(options).run()) {
            String label = result.getParams().getBenchmark();
            scores.put(label.substring(label.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        double filter = scores.getOrDefault("migrationFilter", Double.NaN);
        double empty = scores.getOrDefault("emptyFilter", Double.NaN);
        json.put("jmh_dofilter_ns", round(filter, 1));
        json.put("jmh_empty_filter_ns", round(empty, 1));
        row("1 JMH doFilter pass-through, ns/op", String.format(Locale.ROOT, "%.1f (empty filter %.1f)", filter, empty),
                "", "");
    }

    // ---------------------------------------------------------------- 2. and 3. callbacks

    private enum Variant {
        FILTER_ALREADY_LINKED("filter ALREADY_LINKED"),
        FLOOR_EXISTING("floor, row exists"),
        FILTER_LINKED("filter LINKED"),
        FILTER_CREATED("filter CREATED"),
        FLOOR_FRESH("floor, new row");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private final java.util.ArrayDeque<String> linkedPool = new java.util.ArrayDeque<>();
    private List<String> alreadyLinkedEmails;
    private List<String> floorEmails;
    private BenchServer callbackServer;
    private CountingDataSource counting;

    private void callbacks() throws Exception {
        int n = sizes.callbacksPerRound;
        progress("2/5 callbacks: filter vs floor through Jetty, " + sizes.callbackClients + " clients, "
                + sizes.callbackRounds + " interleaved rounds of " + n + " callbacks per variant");
        HikariDataSource filterPool = pool(db, 10, "bench-filter");
        HikariDataSource floorPool = pool(db, 10, "bench-floor");
        HikariDataSource countedPool = pool(db, 2, "bench-counted");
        counting = new CountingDataSource(countedPool);
        MigrationListener listener = new MigrationListener() {
            @Override
            public void onSuccess(MigrationResult result) {
                outcomes.get(result.outcome()).incrementAndGet();
            }
        };
        callbackServer = new BenchServer()
                .context("/app", new BenchServlets.App(), new MigrationFilter(config(filterPool, listener)))
                .context("/floor", new BenchServlets.Floor(emulator.baseUrl(), emulator.projectId(), emulator.secret(),
                        floorPool, MigrationConfig.DEFAULT_STYTCH_TIMEOUT_MILLIS), null)
                .context("/counted", new BenchServlets.App(), new MigrationFilter(config(counting, listener)))
                .start();
        closeables.add(0, callbackServer);
        closeables.add(filterPool);
        closeables.add(floorPool);
        closeables.add(countedPool);

        // warm-up, which also creates the users that log in again later
        alreadyLinkedEmails = emails("al", n);
        floorEmails = emails("fl", n);
        expect(MigrationOutcome.CREATED, n, () -> send("/app", alreadyLinkedEmails));
        send("/floor", floorEmails);
        for (int i = 0; i < 2; i++) {
            expect(MigrationOutcome.ALREADY_LINKED, n, () -> send("/app", alreadyLinkedEmails));
            send("/floor", floorEmails);
        }

        // every LINKED round's unlinked rows, seeded up front (and analysed) so no round pays for seeding
        List<String> toLink = emails("ln", n * sizes.callbackRounds);
        seedUnlinked(toLink);
        linkedPool.addAll(toLink);
        db.exec("VACUUM ANALYZE users");

        Map<Variant, List<Double>> perSecond = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> p50 = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> p99 = new EnumMap<>(Variant.class);
        Variant[] order = Variant.values();
        for (int r = 0; r < sizes.callbackRounds; r++) {
            for (int k = 0; k < order.length; k++) {
                Variant v = order[(k + r) % order.length]; // rotate, so no variant always runs first
                Load.Run run = callbackRound(v, n);
                perSecond.computeIfAbsent(v, x -> new ArrayList<>()).add(run.perSecond());
                p50.computeIfAbsent(v, x -> new ArrayList<>()).add(run.p(50));
                p99.computeIfAbsent(v, x -> new ArrayList<>()).add(run.p(99));
            }
        }
        for (Variant v : Variant.values()) {
            String key = v.name().toLowerCase(Locale.ROOT);
            json.put("callbacks_per_s_" + key, round(Stats.median(perSecond.get(v)), 0));
            json.put("p50_ms_" + key, round(Stats.median(p50.get(v)), 2));
            json.put("p99_ms_" + key, round(Stats.median(p99.get(v)), 2));
            row("2 " + v.label + ": callbacks/s", Stats.spread(perSecond.get(v), "%.0f"), "", "");
            row("2 " + v.label + ": p50 / p99 ms", String.format(Locale.ROOT, "%.2f / %.2f",
                    Stats.median(p50.get(v)), Stats.median(p99.get(v))), "", "");
            chart.callback(v.label, Stats.median(perSecond.get(v)), Stats.median(p50.get(v)), Stats.median(p99.get(v)));
        }
        double floorExisting = Stats.median(perSecond.get(Variant.FLOOR_EXISTING));
        double floorFresh = Stats.median(perSecond.get(Variant.FLOOR_FRESH));
        double already = Stats.median(perSecond.get(Variant.FILTER_ALREADY_LINKED)) / floorExisting;
        double linked = Stats.median(perSecond.get(Variant.FILTER_LINKED)) / floorFresh;
        double created = Stats.median(perSecond.get(Variant.FILTER_CREATED)) / floorFresh;
        json.put("already_linked_ratio", round(already, 3));
        json.put("linked_ratio", round(linked, 3));
        json.put("created_ratio", round(created, 3));
        row("2 ALREADY_LINKED / floor (row exists)", String.format(Locale.ROOT, "%.3f", already), ">= 0.85", verdict(already >= 0.85));
        row("2 LINKED / floor (new row)", String.format(Locale.ROOT, "%.3f", linked), "report", "-");
        row("2 CREATED / floor (new row)", String.format(Locale.ROOT, "%.3f", created), "report", "-");

        roundTrips();
    }

    private Load.Run callbackRound(Variant v, int n) throws Exception {
        switch (v) {
            case FILTER_ALREADY_LINKED:
                return expect(MigrationOutcome.ALREADY_LINKED, n, () -> send("/app", alreadyLinkedEmails));
            case FLOOR_EXISTING:
                return send("/floor", floorEmails);
            case FILTER_LINKED: {
                List<String> emails = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    emails.add(linkedPool.removeFirst());
                }
                return expect(MigrationOutcome.LINKED, n, () -> send("/app", emails));
            }
            case FILTER_CREATED:
                return expect(MigrationOutcome.CREATED, n, () -> send("/app", emails("cr", n)));
            case FLOOR_FRESH:
                return send("/floor", emails("ff", n));
            default:
                throw new IllegalStateException(v.name());
        }
    }

    /** Mints one token per email (not timed), then sends the callbacks (timed). */
    private Load.Run send(String context, List<String> emails) throws Exception {
        List<String> paths = new ArrayList<>(emails.size());
        for (String email : emails) {
            String token = URLEncoder.encode(emulator.magicLinkToken(email), StandardCharsets.UTF_8);
            paths.add(context + "/authenticate?stytch_token_type=magic_links&token=" + token);
        }
        Load.Run run = Load.run(callbackServer.port(), paths, context.equals("/counted") ? 1 : sizes.callbackClients);
        if (run.errors > 0) {
            throw new IllegalStateException(run.errors + " of " + paths.size() + " callbacks to " + context
                    + " failed; first: " + run.firstError);
        }
        return run;
    }

    private interface RunSupplier {
        Load.Run get() throws Exception;
    }

    /** Runs and checks that every callback ended with the outcome the variant is about. */
    private Load.Run expect(MigrationOutcome outcome, int n, RunSupplier body) throws Exception {
        long before = outcomes.get(outcome).get();
        Load.Run run = body.get();
        long got = outcomes.get(outcome).get() - before;
        if (got != n) {
            throw new IllegalStateException("expected " + n + " " + outcome + " outcomes, got " + got);
        }
        return run;
    }

    private void roundTrips() throws Exception {
        int n = sizes.countsPerOutcome;
        progress("3/5 database round trips per outcome: " + n + " sequential callbacks each, counting DataSource");
        Map<MigrationOutcome, int[]> statements = new EnumMap<>(MigrationOutcome.class);
        Map<MigrationOutcome, List<String>> sql = new EnumMap<>(MigrationOutcome.class);
        List<String> linkedEmails = emails("cl", n);
        seedUnlinked(linkedEmails);
        List<String> createdEmails = emails("cc", n);
        for (MigrationOutcome outcome : new MigrationOutcome[]{MigrationOutcome.ALREADY_LINKED, MigrationOutcome.LINKED,
                MigrationOutcome.CREATED}) {
            int[] counts = new int[n];
            for (int i = 0; i < n; i++) {
                String email = outcome == MigrationOutcome.ALREADY_LINKED ? alreadyLinkedEmails.get(i)
                        : outcome == MigrationOutcome.LINKED ? linkedEmails.get(i) : createdEmails.get(i);
                counting.reset();
                expect(outcome, 1, () -> send("/counted", List.of(email)));
                counts[i] = counting.statements();
                sql.put(outcome, counting.executedSql());
            }
            statements.put(outcome, counts);
        }
        int already = max(statements.get(MigrationOutcome.ALREADY_LINKED));
        int linked = max(statements.get(MigrationOutcome.LINKED));
        int created = max(statements.get(MigrationOutcome.CREATED));
        json.put("round_trips_already_linked", already);
        json.put("round_trips_linked", linked);
        json.put("round_trips_created", created);
        row("3 round trips ALREADY_LINKED (max)", String.valueOf(already), "1", verdict(already <= 1));
        row("3 round trips LINKED (max)", String.valueOf(linked), "<= 3", verdict(linked <= 3));
        row("3 round trips CREATED (max)", String.valueOf(created), "<= 3", verdict(created <= 3));
        for (Map.Entry<MigrationOutcome, List<String>> e : sql.entrySet()) {
            progress("    " + e.getKey() + ": " + e.getValue().stream().map(Benchmark::verb).reduce((a, b) -> a + ", " + b).orElse("-"));
        }
    }

    private static String verb(String sql) {
        String s = sql.trim();
        int space = s.indexOf(' ');
        String first = space < 0 ? s : s.substring(0, space);
        return first + (s.contains("RETURNING") ? "…RETURNING" : "");
    }

    private void seedUnlinked(List<String> emails) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO users (email) VALUES (?)")) {
            for (String email : emails) {
                ps.setString(1, email);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private List<String> emails(String prefix, int n) {
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(prefix + "-" + (++emailCounter) + "@bench.example");
        }
        return list;
    }

    // ---------------------------------------------------------------- 4. scale

    private void scale() throws Exception {
        progress("4/5 scale: link-or-create latency at " + sizes.scaleSmall + " vs " + sizes.scaleLarge
                + " rows (JdbcUserStore, one connection, " + sizes.scaleRounds + " rounds of "
                + sizes.scaleOpsPerRound + " per outcome and size, alternating sizes call by call)");
        int[] rowCounts = {sizes.scaleSmall, sizes.scaleLarge};
        // Both tables live in ONE database and are reached through ONE pooled connection (one server
        // backend). On two vCPUs, where the backend and the JVM thread happen to be scheduled decides
        // a loopback round trip's cost (same core vs waking an idle vCPU: 2-3x), and it sticks for
        // seconds. Separate databases or pools, or size-by-size rounds, measured that placement as a
        // table-size effect: the same code printed ratios from 1.10 to 2.01. Alternating the two
        // tables call by call on the same backend leaves the table size as the only difference.
        TestDatabase db = TestDatabase.create();
        closeables.add(db);
        UserTableMapping[] mappings = new UserTableMapping[2];
        for (int s = 0; s < 2; s++) {
            long t0 = System.nanoTime();
            String table = scaleTable(rowCounts[s]);
            generate(db, table, rowCounts[s]);
            mappings[s] = new UserTableMapping(table, "id", "email", null, "stytch_user_id", null, ConflictPolicy.REJECT);
            progress(String.format(Locale.ROOT, "    generated %,d rows in %.1f s", rowCounts[s], (System.nanoTime() - t0) / 1e9));
        }
        HikariDataSource pool = pool(db, 1, "bench-scale");
        closeables.add(pool);
        JdbcUserStore[] stores = new JdbcUserStore[2];
        for (int s = 0; s < 2; s++) {
            stores[s] = new JdbcUserStore(pool, mappings[s], false, 30);
        }
        MigrationOutcome[] kinds = {MigrationOutcome.ALREADY_LINKED, MigrationOutcome.LINKED, MigrationOutcome.CREATED};
        Random random = new Random(42);
        int[] fresh = {0};
        // picks: even g are linked to user-seed-g, odd g are not linked; each odd row is linked at most once
        java.util.Set<Integer>[] usedOdd = newSets(2);
        Map<String, List<Double>> latencies = new LinkedHashMap<>();
        Map<String, List<Double>> roundP50 = new LinkedHashMap<>();
        for (int r = -1; r < sizes.scaleRounds; r++) { // r = -1: warm-up
            for (MigrationOutcome kind : kinds) {
                int ops = r < 0 ? Math.max(5, sizes.scaleOpsPerRound / 3) : sizes.scaleOpsPerRound;
                double[][] ms = new double[2][ops];
                for (int i = 0; i < ops; i++) {
                    for (int j = 0; j < 2; j++) {
                        int s = (i + j) % 2; // small first on even calls, large first on odd ones
                        StytchIdentity identity = identity(kind, rowCounts[s], random, usedOdd[s], fresh);
                        long t0 = System.nanoTime();
                        LinkResult result = stores[s].linkOrCreate(identity);
                        ms[s][i] = (System.nanoTime() - t0) / 1e6;
                        if (result.outcome() != kind) {
                            throw new IllegalStateException("expected " + kind + ", got " + result.outcome());
                        }
                    }
                }
                if (r >= 0) {
                    for (int s = 0; s < 2; s++) {
                        String key = kind.name().toLowerCase(Locale.ROOT) + "_" + s;
                        List<Double> all = latencies.computeIfAbsent(key, x -> new ArrayList<>());
                        for (double m : ms[s]) {
                            all.add(m);
                        }
                        roundP50.computeIfAbsent(key, x -> new ArrayList<>()).add(Stats.percentile(ms[s], 50));
                    }
                }
            }
        }
        double worst = 0;
        for (MigrationOutcome kind : kinds) {
            String k = kind.name().toLowerCase(Locale.ROOT);
            double[] small = toArray(latencies.get(k + "_0"));
            double[] large = toArray(latencies.get(k + "_1"));
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < roundP50.get(k + "_0").size(); i++) {
                ratios.add(roundP50.get(k + "_1").get(i) / roundP50.get(k + "_0").get(i));
            }
            double ratio = Stats.median(ratios);
            worst = Math.max(worst, ratio);
            json.put("scale_p50_ms_" + k + "_small", round(Stats.percentile(small, 50), 3));
            json.put("scale_p99_ms_" + k + "_small", round(Stats.percentile(small, 99), 3));
            json.put("scale_p50_ms_" + k + "_large", round(Stats.percentile(large, 50), 3));
            json.put("scale_p99_ms_" + k + "_large", round(Stats.percentile(large, 99), 3));
            json.put("scale_ratio_" + k, round(ratio, 3));
            row(String.format(Locale.ROOT, "4 %s p50/p99 ms, %,d vs %,d rows", kind, rowCounts[0], rowCounts[1]),
                    String.format(Locale.ROOT, "%.3f/%.3f vs %.3f/%.3f", Stats.percentile(small, 50), Stats.percentile(small, 99),
                            Stats.percentile(large, 50), Stats.percentile(large, 99)), "", "");
            row("4 " + kind + " p50 ratio large/small", Stats.spread(ratios, "%.3f"), "<= 1.25", verdict(ratio <= 1.25));
            chart.scale(kind.name(), Stats.percentile(small, 50), Stats.percentile(large, 50));
        }
        json.put("scale_rows_small", rowCounts[0]);
        json.put("scale_rows_large", rowCounts[1]);
        json.put("scale_ratio", round(worst, 3));

        // without the lower(email) index: the init-time check warns, and a first login scans
        db.exec("DROP INDEX " + scaleTable(rowCounts[1]) + "_lower_email_idx");
        List<String> warnings = SchemaCheck.verify(pool, mappings[1]);
        boolean warned = warnings.stream().anyMatch(w -> w.contains("No index on lower(email)"));
        int probes = Math.max(3, sizes.scaleOpsPerRound / 10);
        double[] scan = new double[probes];
        for (int i = 0; i < probes; i++) {
            StytchIdentity identity = identity(MigrationOutcome.LINKED, rowCounts[1], random, usedOdd[1], fresh);
            long t0 = System.nanoTime();
            stores[1].linkOrCreate(identity);
            scan[i] = (System.nanoTime() - t0) / 1e6;
        }
        json.put("schema_check_warns_without_email_index", warned);
        json.put("scale_p50_ms_linked_large_no_email_index", round(Stats.percentile(scan, 50), 3));
        row("4 SchemaCheck warns without lower(email) index", warned ? "yes" : "no", "yes", verdict(warned));
        row(String.format(Locale.ROOT, "4 LINKED p50 ms without that index, %,d rows", rowCounts[1]),
                String.format(Locale.ROOT, "%.3f", Stats.percentile(scan, 50)), "", "");
        if (warned) {
            progress("    captured: " + warnings.get(0).replace("\n", " | "));
        }
        pool.close();
        db.close();
    }

    /** The users table of measurement 4, one per size, side by side in one database. */
    private static String scaleTable(int rows) {
        return "users_" + rows;
    }

    @SuppressWarnings("unchecked")
    private static java.util.Set<Integer>[] newSets(int n) {
        java.util.Set<Integer>[] sets = new java.util.Set[n];
        for (int i = 0; i < n; i++) {
            sets[i] = new java.util.HashSet<>();
        }
        return sets;
    }

    /** Distinct returning users probed in measurement 4, at both table sizes. */
    private static final int ACTIVE_USERS = 2_000;

    private StytchIdentity identity(MigrationOutcome kind, int rows, Random random, java.util.Set<Integer> usedOdd, int[] fresh) {
        switch (kind) {
            case ALREADY_LINKED: {
                // The same number of returning users at both sizes, spread over the whole table: a bigger
                // table holds more dormant rows, not more logins (a random probe over all 500 000 linked
                // rows would compare CPU-cache working sets instead of index lookups).
                int active = Math.min(ACTIVE_USERS, rows / 2);
                int g = 2 * (1 + random.nextInt(active) * (rows / 2 / active));
                return new StytchIdentity("user-seed-" + g, List.of(StytchIdentity.Identifier.verified("seed" + g + "@scale.example")),
                        List.of(), null, null);
            }
            case LINKED: {
                int g;
                do {
                    g = 2 * random.nextInt(rows / 2) + 1;
                } while (!usedOdd.add(g));
                return new StytchIdentity("user-new-" + g, List.of(StytchIdentity.Identifier.verified("seed" + g + "@scale.example")),
                        List.of(), null, null);
            }
            default: {
                int f = ++fresh[0];
                return new StytchIdentity("user-fresh-" + f, List.of(StytchIdentity.Identifier.verified("fresh" + f + "@scale.example")),
                        List.of(), null, null);
            }
        }
    }

    /** The contract's table (named {@code table}), filled by generate_series, then its indexes, then ANALYZE. */
    private static void generate(TestDatabase target, String table, int rows) {
        target.exec("CREATE TABLE " + table + " (id BIGSERIAL PRIMARY KEY, email TEXT, phone TEXT,"
                        + " stytch_user_id VARCHAR(255), created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                "INSERT INTO " + table + " (email, stytch_user_id) SELECT 'seed' || g || '@scale.example',"
                        + " CASE WHEN g % 2 = 0 THEN 'user-seed-' || g END FROM generate_series(1, " + rows + ") AS g",
                "ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_stytch_user_id_key UNIQUE (stytch_user_id)",
                "CREATE INDEX " + table + "_lower_email_idx ON " + table + " (lower(email))",
                "CREATE INDEX " + table + "_phone_idx ON " + table + " (phone)",
                "VACUUM ANALYZE " + table,
                // the timed LINKED/CREATED writes would trigger autovacuum on the 10k table mid-round
                "ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
        // Load the table and its indexes into shared_buffers (sized by the bench profile), as on a server
        // whose users table is in memory: 10k vs 1M rows then compares the query plans (index depth, no
        // scans), not first reads of pages that a random probe of 1M rows would mostly be making.
        String relations = Stream.of("", "_pkey", "_stytch_user_id_key", "_lower_email_idx", "_phone_idx")
                .map(suffix -> "'" + table + suffix + "'").collect(Collectors.joining(", "));
        target.exec("CREATE EXTENSION IF NOT EXISTS pg_prewarm",
                "SELECT pg_prewarm(c.oid::regclass) FROM pg_class c WHERE c.relname IN (" + relations + ")");
    }

    // ---------------------------------------------------------------- 5. memory and threads

    private void memory() throws Exception {
        progress("5/5 memory and threads: heap after a full GC and thread count after " + sizes.memoryFirst
                + " and after " + sizes.memorySecond + " callbacks (half CREATED, half ALREADY_LINKED)");
        int done = 0;
        long[] first = null;
        long t0 = System.nanoTime();
        while (done < sizes.memorySecond) {
            // a fresh emulator state per batch keeps the in-process emulator's own growth out of the figure
            emulator.reset();
            List<String> batch = emails("mem", sizes.memoryBatch / 2);
            expect(MigrationOutcome.CREATED, batch.size(), () -> send("/app", batch));
            expect(MigrationOutcome.ALREADY_LINKED, batch.size(), () -> send("/app", batch));
            done += 2 * batch.size();
            if (first == null && done >= sizes.memoryFirst) {
                first = settle();
                progress(String.format(Locale.ROOT, "    after %,d: heap %.1f MB, %d threads", done, first[0] / 1048576.0, first[1]));
            }
            if (done % 10_000 == 0) {
                progress(String.format(Locale.ROOT, "    %,d callbacks, %.0f s", done, (System.nanoTime() - t0) / 1e9));
            }
        }
        long[] second = settle();
        progress(String.format(Locale.ROOT, "    after %,d: heap %.1f MB, %d threads", done, second[0] / 1048576.0, second[1]));
        double heapFirst = first[0] / 1048576.0;
        double heapSecond = second[0] / 1048576.0;
        double delta = heapSecond - heapFirst;
        long threadDelta = second[1] - first[1];
        json.put("memory_callbacks_first", sizes.memoryFirst);
        json.put("memory_callbacks_second", done);
        json.put("heap_mb_first", round(heapFirst, 1));
        json.put("heap_mb_second", round(heapSecond, 1));
        json.put("heap_delta_mb", round(delta, 1));
        json.put("threads_first", first[1]);
        json.put("threads_second", second[1]);
        json.put("threads_delta", threadDelta);
        row(String.format(Locale.ROOT, "5 heap MB after %,d vs %,d callbacks", sizes.memoryFirst, done),
                String.format(Locale.ROOT, "%.1f vs %.1f (%+.1f)", heapFirst, heapSecond, delta), "delta <= 8 MB",
                verdict(delta <= 8));
        row(String.format(Locale.ROOT, "5 threads after %,d vs %,d callbacks", sizes.memoryFirst, done),
                String.format(Locale.ROOT, "%d vs %d (%+d)", first[1], second[1], threadDelta), "growth <= 4",
                verdict(threadDelta <= 4));
        chart.memory(heapFirst, heapSecond, first[1], second[1], sizes.memoryFirst, done);
    }

    /** Heap used after full GCs, and live threads, with the emulator's state cleared. */
    private long[] settle() throws InterruptedException {
        emulator.reset();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(150);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return new long[]{used, ManagementFactory.getThreadMXBean().getThreadCount()};
    }

    // ---------------------------------------------------------------- helpers

    private MigrationConfig config(DataSource dataSource, MigrationListener listener) {
        MigrationConfig.Builder b = MigrationConfig.builder()
                .stytchProjectId(emulator.projectId())
                .stytchSecret(emulator.secret())
                .stytchApiBaseUrl(emulator.baseUrl())
                .dataSource(dataSource);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build();
    }

    private static HikariDataSource pool(TestDatabase target, int size, String name) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(target.jdbcUrl());
        c.setUsername(target.user());
        c.setPassword(target.password());
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        c.setPoolName(name);
        return new HikariDataSource(c);
    }

    private void closeAll() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort at the end of a run
            }
        }
        closeables.clear();
    }

    private void progress(String line) {
        out.println("[bench] " + line);
        out.flush();
    }

    private void row(String measurement, String value, String target, String verdict) {
        table.add(new String[]{measurement, value, target, verdict});
    }

    private static String verdict(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    private static int max(int[] values) {
        int m = 0;
        for (int v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private String report() throws JsonProcessingException {
        int[] w = {11, 5, 6, 6};
        for (String[] r : table) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        String fmt = "| %-" + w[0] + "s | %-" + w[1] + "s | %-" + w[2] + "s | %-" + w[3] + "s |%n";
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%nstytch-migration benchmark (%s): %s cores, %s%n", sizes.mode,
                json.get("cores"), json.get("java")));
        s.append(String.format(Locale.ROOT, fmt, "measurement", "value (median [min..max] over rounds)", "target", "result"));
        s.append(String.format(Locale.ROOT, fmt, "-".repeat(w[0]), "-".repeat(w[1]), "-".repeat(w[2]), "-".repeat(w[3])));
        for (String[] r : table) {
            s.append(String.format(Locale.ROOT, fmt, (Object[]) r));
        }
        s.append(LINE_PREFIX).append(json(json)).append(System.lineSeparator());
        return s.toString();
    }

    /** Replaces the console handlers of java.util.logging (where SLF4J goes) for the run; keeps WARN+ lines. */
    static final class LogSink extends Handler implements AutoCloseable {
        private final Handler[] saved;
        final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();

        private LogSink(Handler[] saved) {
            this.saved = saved;
        }

        /**
         * The filter still builds every log record (the level stays INFO, so its per-login INFO line is
         * paid for), but nothing is written to the console, which on two cores would measure the terminal.
         */
        static LogSink install() {
            Logger root = Logger.getLogger("");
            Handler[] saved = root.getHandlers();
            for (Handler h : saved) {
                root.removeHandler(h);
            }
            LogSink sink = new LogSink(saved);
            sink.setLevel(Level.INFO);
            root.addHandler(sink);
            return sink;
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue() && warnings.size() < 100) {
                warnings.add(record.getLoggerName() + ": " + record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger root = Logger.getLogger("");
            root.removeHandler(this);
            for (Handler h : saved) {
                root.addHandler(h);
            }
        }
    }

    /** One line of JSON; a figure that could not be computed (NaN, infinite) is {@code null}. */
    static String json(Map<String, Object> figures) throws JsonProcessingException {
        Map<String, Object> finite = new LinkedHashMap<>(figures);
        finite.replaceAll((key, value) -> value instanceof Double && !Double.isFinite((Double) value) ? null : value);
        return JSON.writeValueAsString(finite);
    }
}
