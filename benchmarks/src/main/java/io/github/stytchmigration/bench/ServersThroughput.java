package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationOutcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Login throughput with one app server and with two ({@link AppServers}, pools of 10 each) on one
 * database, the same closed-loop clients spread over the servers: first logins (CREATED) and returning
 * users (ALREADY_LINKED), the two layouts alternating round after round. Reported, no target: on one
 * machine the second server adds no cores, so this shows what a second server costs (its pool, its
 * threads, contention in one database), not the speed-up that a second machine would bring.
 */
final class ServersThroughput implements Measurement {
    /** Callbacks per batch, and rounds. */
    private record Sizes(int callbacks, int rounds) {
        static final Sizes FULL = new Sizes(600, 5);
        static final Sizes SMOKE = new Sizes(12, 1);
    }

    private int emailCounter;

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        int clients = bench.mode().pick(8, 4);
        report.heading("login throughput, one app server vs two on one database: " + clients + " clients, "
                + sizes.rounds() + " alternating rounds of " + sizes.callbacks() + " callbacks per layout and outcome");
        try (AppServers one = AppServers.start(bench, 1, 10, "bench-one");
             AppServers two = AppServers.start(bench, 2, 10, "bench-two")) {
            AppServers[] layouts = {one, two};
            // warm-up: every server's first callbacks pay for class loading and the JIT
            for (AppServers layout : layouts) {
                List<String> warm = emails(sizes.callbacks());
                layout.spread(warm, clients, MigrationOutcome.CREATED);
                layout.spread(warm, clients, MigrationOutcome.ALREADY_LINKED);
            }
            List<List<Double>> created = List.of(new ArrayList<>(), new ArrayList<>());
            List<List<Double>> already = List.of(new ArrayList<>(), new ArrayList<>());
            for (int r = 0; r < sizes.rounds(); r++) {
                for (int k = 0; k < layouts.length; k++) {
                    int l = (k + r) % layouts.length; // alternate, so neither layout always runs first
                    List<String> emails = emails(sizes.callbacks());
                    created.get(l).add(layouts[l].spread(emails, clients, MigrationOutcome.CREATED).perSecond());
                    already.get(l).add(layouts[l].spread(emails, clients, MigrationOutcome.ALREADY_LINKED).perSecond());
                }
            }
            double createdOne = Stats.median(created.get(0));
            double createdTwo = Stats.median(created.get(1));
            double alreadyOne = Stats.median(already.get(0));
            double alreadyTwo = Stats.median(already.get(1));
            report.figure("servers_logins_per_s_created_one", createdOne, 0);
            report.figure("servers_logins_per_s_created_two", createdTwo, 0);
            report.figure("servers_logins_per_s_already_linked_one", alreadyOne, 0);
            report.figure("servers_logins_per_s_already_linked_two", alreadyTwo, 0);
            report.figure("servers_two_vs_one_created", createdTwo / createdOne, 3);
            report.figure("servers_two_vs_one_already_linked", alreadyTwo / alreadyOne, 3);
            report.row("CREATED logins/s, one server", Stats.spread(created.get(0), "%.0f"));
            report.row("CREATED logins/s, two servers", Stats.spread(created.get(1), "%.0f"));
            report.row("ALREADY_LINKED logins/s, one server", Stats.spread(already.get(0), "%.0f"));
            report.row("ALREADY_LINKED logins/s, two servers", Stats.spread(already.get(1), "%.0f"));
            report.reportRow("CREATED two servers / one, same cores", String.format(Locale.ROOT, "%.3f", createdTwo / createdOne));
            report.reportRow("ALREADY_LINKED two servers / one, same cores",
                    String.format(Locale.ROOT, "%.3f", alreadyTwo / alreadyOne));
            report.chart("Logins, one vs two app servers (one machine)", "logins/s").addSeries("logins/s",
                    List.of("CREATED, one", "CREATED, two", "ALREADY_LINKED, one", "ALREADY_LINKED, two"),
                    List.of(Math.round(createdOne), Math.round(createdTwo), Math.round(alreadyOne), Math.round(alreadyTwo)));
        }
    }

    private List<String> emails(int n) {
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add("st-" + (++emailCounter) + "@servers.bench.example");
        }
        return list;
    }
}
