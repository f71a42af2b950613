package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.testing.CountingDataSource;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Database round trips per outcome: sequential callbacks to {@code /counted}, the filter over a
 * {@link CountingDataSource}, the counter reset before each; the maximum per outcome against its target
 * (ALREADY_LINKED 1, LINKED and CREATED {@code <= 3}). Prints the statements it saw.
 */
final class RoundTrips implements Measurement {
    private static final MigrationOutcome[] OUTCOMES = {
            MigrationOutcome.ALREADY_LINKED, MigrationOutcome.LINKED, MigrationOutcome.CREATED};

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        int n = bench.mode().pick(30, 3); // callbacks per outcome
        report.heading("database round trips per outcome: " + n + " sequential callbacks each, counting DataSource");
        CallbackApp app = bench.callbackApp();
        CountingDataSource counting = app.counting();
        // users who come back: created through /app, not counted
        List<String> returning = app.emails("ca", n);
        app.send("/app", returning, MigrationOutcome.CREATED);
        List<String> unlinked = app.emails("cl", n);
        app.seedUnlinked(unlinked);
        List<String> fresh = app.emails("cc", n);
        Map<MigrationOutcome, List<String>> emails = Map.of(MigrationOutcome.ALREADY_LINKED, returning,
                MigrationOutcome.LINKED, unlinked, MigrationOutcome.CREATED, fresh);

        Map<MigrationOutcome, Integer> most = new EnumMap<>(MigrationOutcome.class);
        Map<MigrationOutcome, List<String>> sql = new EnumMap<>(MigrationOutcome.class);
        for (MigrationOutcome outcome : OUTCOMES) {
            int max = 0;
            for (String email : emails.get(outcome)) {
                counting.reset();
                app.send("/counted", List.of(email), outcome);
                max = Math.max(max, counting.statements());
                sql.put(outcome, counting.executedSql());
            }
            most.put(outcome, max);
        }
        int already = most.get(MigrationOutcome.ALREADY_LINKED);
        int linked = most.get(MigrationOutcome.LINKED);
        int created = most.get(MigrationOutcome.CREATED);
        report.figure("round_trips_already_linked", already);
        report.figure("round_trips_linked", linked);
        report.figure("round_trips_created", created);
        report.row("round trips ALREADY_LINKED (max)", String.valueOf(already), "1", already <= 1);
        report.row("round trips LINKED (max)", String.valueOf(linked), "<= 3", linked <= 3);
        report.row("round trips CREATED (max)", String.valueOf(created), "<= 3", created <= 3);
        for (Map.Entry<MigrationOutcome, List<String>> e : sql.entrySet()) {
            report.detail(e.getKey() + ": " + e.getValue().stream().map(RoundTrips::verb).reduce((a, b) -> a + ", " + b).orElse("-"));
        }
    }

    /** "SELECT", "UPDATE", "INSERT…RETURNING": what a statement was, without its text. */
    private static String verb(String sql) {
        String s = sql.trim();
        int space = s.indexOf(' ');
        String first = space < 0 ? s : s.substring(0, space);
        return first + (s.contains("RETURNING") ? "…RETURNING" : "");
    }
}
