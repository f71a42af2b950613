package io.github.stytchmigration.bench;

import com.zaxxer.hikari.HikariDataSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pass-through: requests that are not callbacks, through Jetty with and without the filter in
 * interleaved rounds (target: ratio with/without {@code >= 0.98}); then JMH times {@code doFilter}
 * alone against an empty filter. {@code --only jmh} runs the JMH part alone.
 */
final class PassThrough implements Measurement {
    private static final String NAME_JMH = "jmh";

    /** Clients, warm-up and round lengths, rounds; then JMH: fork or in-process, warm-ups, iterations, their length. */
    private record Sizes(int clients, long warmMillis, long roundMillis, int rounds, boolean jmhFork, int jmhWarmups,
                         int jmhIterations, long jmhIterationMillis) {
        static final Sizes FULL = new Sizes(8, 3_000, 2_000, 11, true, 3, 5, 1_000);
        static final Sizes SMOKE = new Sizes(4, 100, 150, 2, false, 1, 1, 100);
    }

    @Override
    public boolean selectedBy(Only only, int number) {
        return only.includes(number) || only.includes(NAME_JMH);
    }

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        if (bench.only().includes(report.number())) {
            overHttp(bench, report, sizes);
        }
        jmh(bench, report, sizes);
    }

    private static void overHttp(Bench bench, Report.Section report, Sizes sizes) throws Exception {
        report.heading("pass-through: Jetty with vs without the filter, " + sizes.clients() + " clients, "
                + sizes.rounds() + " interleaved rounds of " + sizes.roundMillis() + " ms");
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        try (HikariDataSource pool = Bench.pool(bench.database(), 4, "bench-pass");
             BenchServer server = new BenchServer()
                     .context("/with", new BenchServlets.Hello(), bench.filter(pool, null))
                     .context("/without", new BenchServlets.Hello(), null)
                     .start()) {
            int port = server.port();
            for (int i = 0; i < 2; i++) {
                Load.throughput(port, "/with/account", sizes.clients(), sizes.warmMillis());
                Load.throughput(port, "/without/account", sizes.clients(), sizes.warmMillis());
            }
            for (int r = 0; r < sizes.rounds(); r++) {
                double a;
                double b;
                if (r % 2 == 0) {
                    a = Load.throughput(port, "/with/account", sizes.clients(), sizes.roundMillis());
                    b = Load.throughput(port, "/without/account", sizes.clients(), sizes.roundMillis());
                } else {
                    b = Load.throughput(port, "/without/account", sizes.clients(), sizes.roundMillis());
                    a = Load.throughput(port, "/with/account", sizes.clients(), sizes.roundMillis());
                }
                with.add(a);
                without.add(b);
                ratios.add(a / b);
            }
        }
        double ratio = Stats.median(ratios);
        report.figure("passthrough_rps_with", Stats.median(with), 0);
        report.figure("passthrough_rps_without", Stats.median(without), 0);
        report.figure("passthrough_ratio", ratio, 3);
        report.figure("passthrough_ratio_min", Stats.min(ratios), 3);
        report.figure("passthrough_ratio_max", Stats.max(ratios), 3);
        report.row("pass-through req/s, with filter", Stats.spread(with, "%.0f"));
        report.row("pass-through req/s, without", Stats.spread(without, "%.0f"));
        report.row("pass-through ratio with/without", Stats.spread(ratios, "%.3f"), ">= 0.98", ratio >= 0.98);
        report.chart("Pass-through (non-callback request)", "requests/s").addSeries("requests/s",
                List.of("without filter", "with filter"),
                List.of((double) Math.round(Stats.median(without)), (double) Math.round(Stats.median(with))));
    }

    private static void jmh(Bench bench, Report.Section report, Sizes sizes) throws Exception {
        report.heading("JMH: doFilter on a non-callback request vs an empty filter ("
                + (sizes.jmhFork() ? "forked" : "in-process") + ")");
        String jdbcUrl = bench.database().jdbcUrl();
        String jdbcUser = bench.database().user();
        System.setProperty(PassThroughJmh.JDBC_URL, jdbcUrl);
        System.setProperty(PassThroughJmh.JDBC_USER, jdbcUser);
        Options options = new OptionsBuilder()
                .include(PassThroughJmh.class.getName() + "\\.")
                .forks(sizes.jmhFork() ? 1 : 0)
                .jvmArgsAppend("-D" + PassThroughJmh.JDBC_URL + "=" + jdbcUrl, "-D" + PassThroughJmh.JDBC_USER + "=" + jdbcUser,
                        "-D" + PassThroughJmh.QUIET + "=true", "-Xms256m", "-Xmx256m")
                .warmupIterations(sizes.jmhWarmups())
                .warmupTime(TimeValue.milliseconds(sizes.jmhIterationMillis()))
                .measurementIterations(sizes.jmhIterations())
                .measurementTime(TimeValue.milliseconds(sizes.jmhIterationMillis()))
                .threads(1)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (RunResult result : new Runner(options).run()) {
            String label = result.getParams().getBenchmark();
            scores.put(label.substring(label.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        double filter = scores.getOrDefault("migrationFilter", Double.NaN);
        double empty = scores.getOrDefault("emptyFilter", Double.NaN);
        report.figure("jmh_dofilter_ns", filter, 1);
        report.figure("jmh_empty_filter_ns", empty, 1);
        report.row("JMH doFilter pass-through, ns/op", String.format(Locale.ROOT, "%.1f (empty filter %.1f)", filter, empty));
    }
}
