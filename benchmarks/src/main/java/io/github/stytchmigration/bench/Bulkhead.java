package io.github.stytchmigration.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.StytchEmulator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bulkhead under a login storm: Stytch delayed 2 s, and 4 × {@code maxConcurrentCallbacks} callback
 * clients in flight against the same server. Reported beside their targets: the p99 latency of
 * pass-through requests during the storm over the same p99 on the idle server (interleaved phases;
 * target {@code <= 2}), and the p99 time to answer a callback the bulkhead rejects (target {@code <= 50 ms}).
 * A rejected client waits 50 ms, then sends the same (unspent) token again, so the storm keeps its size.
 */
final class Bulkhead implements Measurement {
    private static final String MAGIC = "/v1/magic_links/authenticate";
    private static final long STYTCH_DELAY_MILLIS = 2_000;
    private static final long REJECTED_PAUSE_MILLIS = 50;

    /** Bulkhead size, pass-through clients, phase length, interleaved rounds, tokens minted up front. */
    private record Sizes(int limit, int passClients, long phaseMillis, int rounds, int tokens) {
        static final Sizes FULL = new Sizes(16, 4, 3_000, 5, 600);
        static final Sizes SMOKE = new Sizes(2, 1, 300, 1, 40);
    }

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        int storm = 4 * sizes.limit();
        report.heading("bulkhead: Stytch delayed " + STYTCH_DELAY_MILLIS + " ms, " + storm + " callback clients against"
                + " maxConcurrentCallbacks=" + sizes.limit() + "; pass-through p99 idle vs during the storm, "
                + sizes.rounds() + " interleaved rounds of " + sizes.phaseMillis() + " ms");
        StytchEmulator emulator = bench.emulator();
        ConcurrentLinkedQueue<String> tokens = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < sizes.tokens(); i++) {
            tokens.add(URLEncoder.encode(emulator.magicLinkToken("storm" + i + "@bench.example"), StandardCharsets.UTF_8));
        }
        emulator.injectFault(Fault.delay(MAGIC, STYTCH_DELAY_MILLIS).times(1_000_000));
        List<Double> idle = new ArrayList<>();
        List<Double> stormy = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> rejected = new ArrayList<>();
        try (HikariDataSource pool = Bench.pool(bench.database(), 4, "bench-bulkhead");
             BenchServer server = new BenchServer()
                     .context("/app", new BenchServlets.Hello(), FilterFactory.filter(emulator, pool, null,
                             b -> b.maxConcurrentCallbacks(sizes.limit())))
                     .start()) {
            int port = server.port();
            passThroughLatencies(port, sizes.passClients(), sizes.phaseMillis()); // warm-up
            for (int r = 0; r < sizes.rounds(); r++) {
                double quiet = Stats.percentile(passThroughLatencies(port, sizes.passClients(), sizes.phaseMillis()), 99);
                Storm s = Storm.start(port, storm, tokens);
                try {
                    Thread.sleep(STYTCH_DELAY_MILLIS / 2); // the bulkhead fills
                    double busy = Stats.percentile(passThroughLatencies(port, sizes.passClients(), sizes.phaseMillis()), 99);
                    idle.add(quiet);
                    stormy.add(busy);
                    ratios.add(busy / quiet);
                } finally {
                    rejected.add(Stats.percentile(s.stop(), 99));
                }
            }
        } finally {
            emulator.reset();
        }
        double ratio = Stats.median(ratios);
        double rejectedP99 = Stats.median(rejected);
        report.figure("bulkhead_passthrough_p99_idle_ms", Stats.median(idle), 3);
        report.figure("bulkhead_passthrough_p99_storm_ms", Stats.median(stormy), 3);
        report.figure("bulkhead_passthrough_p99_ratio", ratio, 3);
        report.figure("bulkhead_rejected_p99_ms", rejectedP99, 3);
        report.row("pass-through p99 ms, idle vs storm", String.format(java.util.Locale.ROOT, "%.2f vs %.2f",
                Stats.median(idle), Stats.median(stormy)));
        report.row("pass-through p99 ratio storm/idle", Stats.spread(ratios, "%.3f"), "<= 2", ratio <= 2);
        report.row("rejected callback p99 ms", Stats.spread(rejected, "%.2f"), "<= 50", rejectedP99 <= 50);
    }

    /** Latencies (ms) of pass-through GETs by {@code clients} closed-loop clients during {@code millis}. */
    private static double[] passThroughLatencies(int port, int clients, long millis) throws InterruptedException {
        ConcurrentLinkedQueue<Double> out = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (RawHttpClient client = new RawHttpClient(port)) {
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        if (client.get("/app/account") != 200) {
                            throw new IllegalStateException("pass-through failed");
                        }
                        out.add((System.nanoTime() - t0) / 1e6);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "bench-pass-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** {@code clients} threads sending callbacks in a closed loop; records how long each rejection took. */
    private static final class Storm {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentLinkedQueue<Double> rejectedMillis = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();

        static Storm start(int port, int clients, ConcurrentLinkedQueue<String> tokens) throws InterruptedException {
            Storm s = new Storm();
            CountDownLatch started = new CountDownLatch(clients);
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> s.loop(port, tokens, started), "bench-storm-" + i);
                t.setDaemon(true);
                s.threads.add(t);
                t.start();
            }
            started.await();
            return s;
        }

        private void loop(int port, ConcurrentLinkedQueue<String> tokens, CountDownLatch started) {
            started.countDown();
            String token = tokens.poll();
            try (RawHttpClient client = new RawHttpClient(port)) {
                while (running.get() && token != null) {
                    long t0 = System.nanoTime();
                    int status = client.get("/app/authenticate?stytch_token_type=magic_links&token=" + token);
                    if (status == 503) {
                        rejectedMillis.add((System.nanoTime() - t0) / 1e6);
                        Thread.sleep(REJECTED_PAUSE_MILLIS); // the token is unspent: send it again
                    } else {
                        token = tokens.poll();
                    }
                }
            } catch (Exception e) {
                if (running.get()) {
                    throw new IllegalStateException(e);
                }
            }
        }

        double[] stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(STYTCH_DELAY_MILLIS * 3);
            }
            return rejectedMillis.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }
}
