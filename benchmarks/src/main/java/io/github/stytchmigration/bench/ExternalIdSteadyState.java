package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationFilter;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.emulator.StytchEmulator;

import javax.sql.DataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code writeExternalId=true} costs a returning user: ALREADY_LINKED callbacks through Jetty to a filter with
 * it on (every Stytch user already carries its internal id) against the same filter with it off, interleaved
 * round after round (target: {@code >= 0.98}); and the users.update calls made meanwhile (target: 0).
 */
final class ExternalIdSteadyState implements Measurement {

    /** Users per variant (each logs in once per round), and rounds. */
    private record Sizes(int users, int rounds) {
        static final Sizes FULL = new Sizes(600, 5);
        static final Sizes SMOKE = new Sizes(12, 1);
    }

    private final Map<MigrationOutcome, AtomicLong> outcomes = new EnumMap<>(MigrationOutcome.class);
    private StytchEmulator emulator;
    private BenchServer server;
    private int clients;

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        emulator = bench.emulator();
        clients = bench.mode().pick(8, 4);
        for (MigrationOutcome o : MigrationOutcome.values()) {
            outcomes.put(o, new AtomicLong());
        }
        MigrationListener listener = new MigrationListener() {
            @Override
            public void onSuccess(MigrationResult result) {
                outcomes.get(result.outcome()).incrementAndGet();
            }
        };
        DataSource pool = bench.closeAtEnd(Bench.pool(bench.database(), 10, "bench-external-id"));
        MigrationFilter off = FilterFactory.filter(emulator, pool, listener);
        MigrationFilter on = FilterFactory.filter(emulator, pool, listener, b -> b.writeExternalId(true));
        server = bench.closeAtEnd(new BenchServer()
                .context("/off", new BenchServlets.App(), off)
                .context("/on", new BenchServlets.App(), on)
                .start());
        report.heading("writeExternalId=true vs off, ALREADY_LINKED through Jetty, " + clients + " clients, "
                + sizes.rounds() + " interleaved rounds of " + sizes.users() + " callbacks per variant");

        List<String> offEmails = emails("xid-off", sizes.users());
        List<String> onEmails = emails("xid-on", sizes.users());
        int updatesBefore = emulator.userUpdates().size();
        send("/off", offEmails, MigrationOutcome.CREATED);
        send("/on", onEmails, MigrationOutcome.CREATED);
        // the first logins of /on write each user's external_id in the background: wait for them all
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (emulator.userUpdates().size() - updatesBefore < sizes.users()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + (emulator.userUpdates().size() - updatesBefore) + " of "
                        + sizes.users() + " external_id writes after 120 s");
            }
            Thread.sleep(20);
        }
        for (int i = 0; i < 2; i++) {
            send("/off", offEmails, MigrationOutcome.ALREADY_LINKED);
            send("/on", onEmails, MigrationOutcome.ALREADY_LINKED);
        }

        int steadyBefore = emulator.userUpdates().size();
        List<Double> offRates = new ArrayList<>();
        List<Double> onRates = new ArrayList<>();
        List<Double> offP99 = new ArrayList<>();
        List<Double> onP99 = new ArrayList<>();
        for (int r = 0; r < sizes.rounds(); r++) {
            boolean onFirst = r % 2 == 1; // alternate, so neither variant always runs first
            for (int k = 0; k < 2; k++) {
                boolean isOn = (k == 0) == onFirst;
                Load.Run run = send(isOn ? "/on" : "/off", isOn ? onEmails : offEmails, MigrationOutcome.ALREADY_LINKED);
                (isOn ? onRates : offRates).add(run.perSecond());
                (isOn ? onP99 : offP99).add(run.p(99));
            }
        }
        int steadyWrites = emulator.userUpdates().size() - steadyBefore;
        double ratio = Stats.median(onRates) / Stats.median(offRates);
        report.figure("external_id_off_callbacks_per_s", Stats.median(offRates), 0);
        report.figure("external_id_on_callbacks_per_s", Stats.median(onRates), 0);
        report.figure("external_id_on_off_ratio", ratio, 3);
        report.figure("external_id_steady_state_updates", steadyWrites);
        report.row("writeExternalId off: callbacks/s", Stats.spread(offRates, "%.0f"));
        report.row("writeExternalId on: callbacks/s", Stats.spread(onRates, "%.0f"));
        report.row("off / on: p99 ms", String.format(Locale.ROOT, "%.2f / %.2f", Stats.median(offP99), Stats.median(onP99)));
        report.row("ALREADY_LINKED, writeExternalId on / off", String.format(Locale.ROOT, "%.3f", ratio), ">= 0.98",
                ratio >= 0.98);
        report.row("users.update calls in the steady state", Integer.toString(steadyWrites), "0", steadyWrites == 0);
    }

    private static List<String> emails(String prefix, int n) {
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(prefix + "-" + i + "@bench.example");
        }
        return list;
    }

    /** Mints the tokens (not timed), sends the callbacks (timed), checks every outcome. */
    private Load.Run send(String context, List<String> emails, MigrationOutcome expected) throws Exception {
        List<String> paths = new ArrayList<>(emails.size());
        for (String email : emails) {
            paths.add(context + "/authenticate?stytch_token_type=magic_links&token="
                    + URLEncoder.encode(emulator.magicLinkToken(email), StandardCharsets.UTF_8));
        }
        long before = outcomes.get(expected).get();
        Load.Run run = Load.run(server.port(), paths, clients);
        if (run.errors > 0) {
            throw new IllegalStateException(run.errors + " of " + paths.size() + " callbacks to " + context
                    + " failed; first: " + run.firstError);
        }
        long got = outcomes.get(expected).get() - before;
        if (got != emails.size()) {
            throw new IllegalStateException("expected " + emails.size() + " " + expected + " outcomes, got " + got);
        }
        return run;
    }
}
