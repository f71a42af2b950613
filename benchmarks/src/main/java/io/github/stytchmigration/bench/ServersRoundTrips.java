package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.testing.CountingDataSource;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Database statements per login with three app servers ({@link AppServers}) on one database: each person's
 * first login on one server, the next on another that never saw them, and first logins of existing rows on
 * a third; sequential, each server's counter reset before each login. The maximum per outcome against the
 * one-server targets (ALREADY_LINKED 1, LINKED and CREATED {@code <= 3}): a server needs nothing of its own
 * to serve a person another server migrated. Also reports the statements each server ran at init (the
 * schema check), the only per-server database work.
 */
final class ServersRoundTrips implements Measurement {
    private static final int SERVERS = 3;

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        int n = bench.mode().pick(30, 3); // people per outcome
        report.heading("database statements per login, " + SERVERS + " app servers on one database: " + n
                + " sequential logins per outcome, each on a server that did not serve that person before");
        try (AppServers servers = AppServers.start(bench, SERVERS, 2, "bench-server")) {
            List<Integer> atInit = new ArrayList<>();
            for (int s = 0; s < SERVERS; s++) {
                atInit.add(servers.counting(s).statements());
            }
            List<String> fresh = emails("sc", n);
            List<String> unlinked = emails("sl", n);
            CallbackApp.seedUnlinked(bench.database(), unlinked);

            Map<MigrationOutcome, Integer> most = new EnumMap<>(MigrationOutcome.class);
            for (int i = 0; i < n; i++) {
                count(servers, i % SERVERS, fresh.get(i), MigrationOutcome.CREATED, most);
                count(servers, (i + 1) % SERVERS, fresh.get(i), MigrationOutcome.ALREADY_LINKED, most);
                count(servers, (i + 2) % SERVERS, unlinked.get(i), MigrationOutcome.LINKED, most);
            }
            int already = most.get(MigrationOutcome.ALREADY_LINKED);
            int linked = most.get(MigrationOutcome.LINKED);
            int created = most.get(MigrationOutcome.CREATED);
            report.figure("servers_round_trips_already_linked", already);
            report.figure("servers_round_trips_linked", linked);
            report.figure("servers_round_trips_created", created);
            report.figure("servers_statements_at_init", atInit.get(0));
            report.row("round trips ALREADY_LINKED on another server (max)", String.valueOf(already), "1", already <= 1);
            report.row("round trips LINKED, " + SERVERS + " servers (max)", String.valueOf(linked), "<= 3", linked <= 3);
            report.row("round trips CREATED, " + SERVERS + " servers (max)", String.valueOf(created), "<= 3", created <= 3);
            report.row("statements at each server's init (schema check)", atInit.toString());
        }
    }

    /** One login of {@code email} on server {@code server}, counted on that server's DataSource alone. */
    private static void count(AppServers servers, int server, String email, MigrationOutcome expected,
                              Map<MigrationOutcome, Integer> most) throws Exception {
        CountingDataSource counting = servers.counting(server);
        counting.reset();
        servers.sendTo(server, List.of(email), expected);
        most.merge(expected, counting.statements(), Math::max);
    }

    private static List<String> emails(String prefix, int n) {
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(prefix + "-" + i + "@servers.bench.example");
        }
        return list;
    }
}
