package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationReport;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The progress report ({@link MigrationReport}) over a users table of 1 000 000 rows in a database of its own:
 * a third linked, a tenth without an email, a pair of rows sharing an email per thousand; the median of a few
 * runs (target: under 10 s, "seconds on a million rows").
 */
final class ReportTime implements Measurement {

    private record Sizes(int rows, int runs) {
        static final Sizes FULL = new Sizes(1_000_000, 5);
        static final Sizes SMOKE = new Sizes(10_000, 1);
    }

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        report.heading("MigrationReport over " + String.format(Locale.ROOT, "%,d", sizes.rows()) + " rows, "
                + sizes.runs() + " runs");
        try (TestDatabase db = TestDatabase.create()) {
            UsersTable.create(db);
            db.exec("INSERT INTO users (email, stytch_user_id) SELECT CASE WHEN i % 10 = 0 THEN NULL"
                            + " WHEN i % 1000 = 1 THEN 'twin' || (i / 1000) || '@example.com'"
                            + " WHEN i % 1000 = 2 THEN 'TWIN' || (i / 1000) || '@example.com'"
                            + " ELSE 'user' || i || '@example.com' END,"
                            + " CASE WHEN i % 3 = 0 THEN 'user-test-' || i END FROM generate_series(1, " + sizes.rows() + ") AS i",
                    "VACUUM ANALYZE users");
            MigrationConfig config = MigrationConfig.builder().stytchProjectId("project-test-bench").stytchSecret("unused")
                    .jdbcUrl(db.jdbcUrl()).build();
            List<Double> millis = new ArrayList<>();
            MigrationReport r = null;
            for (int i = 0; i < sizes.runs(); i++) {
                r = MigrationReport.run(db.dataSource(), config, new MigrationReport.Options());
                millis.add((double) r.elapsedMillis());
            }
            if (r.totalRows() != sizes.rows()) {
                throw new IllegalStateException("the report counted " + r.totalRows() + " rows of " + sizes.rows());
            }
            double median = Stats.median(millis);
            report.figure("report_rows", sizes.rows());
            report.figure("report_ms", median, 0);
            report.row("report time, ms (median, spread)", Stats.spread(millis, "%.0f"));
            report.row("report on " + String.format(Locale.ROOT, "%,d", sizes.rows()) + " rows, ms",
                    String.format(Locale.ROOT, "%.0f", median), "< 10000", median < 10_000);
        }
    }
}
