package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationOutcome;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Callback throughput and latency through Jetty, the filter against a hand-written floor: the filter's
 * ALREADY_LINKED against the floor whose row exists (target: {@code >= 0.85}), its LINKED and CREATED
 * against the floor inserting a new row (reported). All five variants in rotating order, round after round.
 */
final class CallbacksVsFloor implements Measurement {

    /** Callbacks per variant and round, and rounds. */
    private record Sizes(int callbacksPerRound, int rounds) {
        static final Sizes FULL = new Sizes(600, 5);
        static final Sizes SMOKE = new Sizes(12, 1);
    }

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

    private CallbackApp app;
    private List<String> alreadyLinkedEmails;
    private List<String> floorEmails;
    private final ArrayDeque<String> linkedPool = new ArrayDeque<>();

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        int n = sizes.callbacksPerRound();
        app = bench.callbackApp();
        report.heading("callbacks: filter vs floor through Jetty, " + app.clients() + " clients, "
                + sizes.rounds() + " interleaved rounds of " + n + " callbacks per variant");

        // warm-up, which also creates the users that log in again later
        alreadyLinkedEmails = app.emails("al", n);
        floorEmails = app.emails("fl", n);
        app.send("/app", alreadyLinkedEmails, MigrationOutcome.CREATED);
        app.send("/floor", floorEmails);
        for (int i = 0; i < 2; i++) {
            app.send("/app", alreadyLinkedEmails, MigrationOutcome.ALREADY_LINKED);
            app.send("/floor", floorEmails);
        }

        // every LINKED round's unlinked rows, seeded up front (and analysed) so no round pays for seeding
        List<String> toLink = app.emails("ln", n * sizes.rounds());
        app.seedUnlinked(toLink);
        linkedPool.addAll(toLink);
        bench.database().exec("VACUUM ANALYZE users");

        Map<Variant, List<Double>> perSecond = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> p50 = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> p99 = new EnumMap<>(Variant.class);
        Variant[] order = Variant.values();
        for (int r = 0; r < sizes.rounds(); r++) {
            for (int k = 0; k < order.length; k++) {
                Variant v = order[(k + r) % order.length]; // rotate, so no variant always runs first
                Load.Run run = round(v, n);
                perSecond.computeIfAbsent(v, x -> new ArrayList<>()).add(run.perSecond());
                p50.computeIfAbsent(v, x -> new ArrayList<>()).add(run.p(50));
                p99.computeIfAbsent(v, x -> new ArrayList<>()).add(run.p(99));
            }
        }
        List<String> labels = new ArrayList<>();
        List<Long> rates = new ArrayList<>();
        for (Variant v : Variant.values()) {
            String key = v.name().toLowerCase(Locale.ROOT);
            report.figure("callbacks_per_s_" + key, Stats.median(perSecond.get(v)), 0);
            report.figure("p50_ms_" + key, Stats.median(p50.get(v)), 2);
            report.figure("p99_ms_" + key, Stats.median(p99.get(v)), 2);
            report.row(v.label + ": callbacks/s", Stats.spread(perSecond.get(v), "%.0f"));
            report.row(v.label + ": p50 / p99 ms", String.format(Locale.ROOT, "%.2f / %.2f",
                    Stats.median(p50.get(v)), Stats.median(p99.get(v))));
            labels.add(v.label.replace("filter ", "").replace("floor, ", "floor: "));
            rates.add(Math.round(Stats.median(perSecond.get(v))));
        }
        double floorExisting = Stats.median(perSecond.get(Variant.FLOOR_EXISTING));
        double floorFresh = Stats.median(perSecond.get(Variant.FLOOR_FRESH));
        double already = Stats.median(perSecond.get(Variant.FILTER_ALREADY_LINKED)) / floorExisting;
        double linked = Stats.median(perSecond.get(Variant.FILTER_LINKED)) / floorFresh;
        double created = Stats.median(perSecond.get(Variant.FILTER_CREATED)) / floorFresh;
        report.figure("already_linked_ratio", already, 3);
        report.figure("linked_ratio", linked, 3);
        report.figure("created_ratio", created, 3);
        report.row("ALREADY_LINKED / floor (row exists)", String.format(Locale.ROOT, "%.3f", already), ">= 0.85", already >= 0.85);
        report.reportRow("LINKED / floor (new row)", String.format(Locale.ROOT, "%.3f", linked));
        report.reportRow("CREATED / floor (new row)", String.format(Locale.ROOT, "%.3f", created));
        report.chart("Callbacks end-to-end (filter vs floor)", "callbacks/s").addSeries("callbacks/s", labels, rates);
    }

    private Load.Run round(Variant v, int n) throws Exception {
        switch (v) {
            case FILTER_ALREADY_LINKED:
                return app.send("/app", alreadyLinkedEmails, MigrationOutcome.ALREADY_LINKED);
            case FLOOR_EXISTING:
                return app.send("/floor", floorEmails);
            case FILTER_LINKED: {
                List<String> emails = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    emails.add(linkedPool.removeFirst());
                }
                return app.send("/app", emails, MigrationOutcome.LINKED);
            }
            case FILTER_CREATED:
                return app.send("/app", app.emails("cr", n), MigrationOutcome.CREATED);
            case FLOOR_FRESH:
                return app.send("/floor", app.emails("ff", n));
            default:
                throw new IllegalStateException(v.name());
        }
    }
}
