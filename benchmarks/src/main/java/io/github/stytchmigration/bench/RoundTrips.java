package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.testing.CountingDataSource;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Database round trips per outcome, on PostgreSQL and then on MariaDB with the same targets: one app
 * server ({@link AppServers}) whose filter runs over a {@link CountingDataSource} on a fresh {@code users}
 * table of that database; sequential callbacks, the counter reset before each; the maximum per outcome
 * against its target (ALREADY_LINKED 1, LINKED and CREATED {@code <= 3}). Prints the statements it saw.
 */
final class RoundTrips implements Measurement {
    private static final MigrationOutcome[] OUTCOMES = {
            MigrationOutcome.ALREADY_LINKED, MigrationOutcome.LINKED, MigrationOutcome.CREATED};

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        int n = bench.mode().pick(30, 3); // callbacks per outcome
        for (BenchDb.Kind kind : BenchDb.Kind.values()) {
            report.heading(kind.label() + ": database round trips per outcome: " + n
                    + " sequential callbacks each, counting DataSource");
            try (BenchDb db = kind.create()) {
                db.createUsersTable();
                try (AppServers app = AppServers.start(bench, db, 1, 2, "bench-counted-" + kind.name().toLowerCase(Locale.ROOT))) {
                    measure(n, kind, db, app, report);
                }
            }
        }
    }

    private static void measure(int n, BenchDb.Kind kind, BenchDb db, AppServers app, Report.Section report) throws Exception {
        String prefix = "rt-" + kind.name().toLowerCase(Locale.ROOT);
        // users who come back: their first login (CREATED) happens before the counted ones
        List<String> returning = emails(prefix + "-a", n);
        app.sendTo(0, returning, MigrationOutcome.CREATED);
        List<String> unlinked = emails(prefix + "-l", n);
        db.seedUnlinked(unlinked);
        List<String> fresh = emails(prefix + "-c", n);
        Map<MigrationOutcome, List<String>> emails = Map.of(MigrationOutcome.ALREADY_LINKED, returning,
                MigrationOutcome.LINKED, unlinked, MigrationOutcome.CREATED, fresh);

        CountingDataSource counting = app.counting(0);
        Map<MigrationOutcome, Integer> most = new EnumMap<>(MigrationOutcome.class);
        Map<MigrationOutcome, List<String>> sql = new EnumMap<>(MigrationOutcome.class);
        for (MigrationOutcome outcome : OUTCOMES) {
            int max = 0;
            for (String email : emails.get(outcome)) {
                counting.reset();
                app.sendTo(0, List.of(email), outcome);
                max = Math.max(max, counting.statements());
                sql.put(outcome, counting.executedSql());
            }
            most.put(outcome, max);
        }
        int already = most.get(MigrationOutcome.ALREADY_LINKED);
        int linked = most.get(MigrationOutcome.LINKED);
        int created = most.get(MigrationOutcome.CREATED);
        report.figure(kind.key("round_trips_already_linked"), already);
        report.figure(kind.key("round_trips_linked"), linked);
        report.figure(kind.key("round_trips_created"), created);
        report.row(kind.row("round trips ALREADY_LINKED (max)"), String.valueOf(already), "1", already <= 1);
        report.row(kind.row("round trips LINKED (max)"), String.valueOf(linked), "<= 3", linked <= 3);
        report.row(kind.row("round trips CREATED (max)"), String.valueOf(created), "<= 3", created <= 3);
        for (Map.Entry<MigrationOutcome, List<String>> e : sql.entrySet()) {
            report.detail(e.getKey() + ": " + e.getValue().stream().map(RoundTrips::verb).reduce((a, b) -> a + ", " + b).orElse("-"));
        }
    }

    private static List<String> emails(String prefix, int n) {
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(prefix + "-" + i + "@bench.example");
        }
        return list;
    }

    /** "SELECT", "UPDATE", "INSERT…RETURNING": what a statement was, without its text. */
    private static String verb(String sql) {
        String s = sql.trim();
        int space = s.indexOf(' ');
        String first = space < 0 ? s : s.substring(0, space);
        return first + (s.contains("RETURNING") ? "…RETURNING" : "");
    }
}
