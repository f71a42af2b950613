package io.github.stytchmigration.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Closed-loop load: N clients, each on its own keep-alive connection, each sending the next request as soon as the last one answered. */
final class Load {
    private Load() {
    }

    /** What a fixed list of requests yielded. */
    static final class Run {
        final long[] latencyNanos;
        final long wallNanos;
        final int errors;
        final String firstError;

        Run(long[] latencyNanos, long wallNanos, int errors, String firstError) {
            this.latencyNanos = latencyNanos;
            this.wallNanos = wallNanos;
            this.errors = errors;
            this.firstError = firstError;
        }

        double perSecond() {
            return latencyNanos.length / (wallNanos / 1e9);
        }

        double p(double percentile) {
            return Stats.percentile(Stats.millis(latencyNanos), percentile);
        }
    }

    /** Requests per second answered 200 during {@code millis} of closed-loop load on one path. */
    static double throughput(int port, String path, int clients, long millis) throws InterruptedException {
        return throughput(port, path, "", clients, millis);
    }

    /** The same, every request with these header lines (each ending in CRLF), e.g. session cookies. */
    static double throughput(int port, String path, String headers, int clients, long millis) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long[] window = new long[2];
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (RawHttpClient client = new RawHttpClient(port, headers)) {
                    start.await();
                    long deadline = window[1];
                    long n = 0;
                    while (System.nanoTime() < deadline) {
                        if (client.get(path) == 200) {
                            n++;
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                    ok.addAndGet(n);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }, "bench-client-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + millis * 1_000_000L;
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - window[0];
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " failed requests to " + path);
        }
        return ok.get() / (elapsed / 1e9);
    }

    /** Sends every path once, spread over {@code clients} connections; latencies in the order of {@code paths}. */
    static Run run(int port, List<String> paths, int clients) throws InterruptedException {
        return run(List.of(port), paths, clients);
    }

    /**
     * {@link #run(int, List, int)} against several servers: client {@code i} keeps its connection to
     * {@code ports.get(i % ports.size())}, as a load balancer spreads connections round-robin.
     */
    static Run run(List<Integer> ports, List<String> paths, int clients) throws InterruptedException {
        long[] latencies = new long[paths.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        String[] firstError = new String[1];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int port = ports.get(i % ports.size());
            Thread t = new Thread(() -> {
                try (RawHttpClient client = new RawHttpClient(port)) {
                    start.await();
                    int k;
                    while ((k = next.getAndIncrement()) < latencies.length) {
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            status = client.get(paths.get(k));
                        } catch (Exception e) {
                            status = -1;
                        }
                        latencies[k] = System.nanoTime() - t0;
                        if (status != 200) {
                            if (errors.getAndIncrement() == 0) {
                                firstError[0] = "HTTP " + status + " for " + paths.get(k).replaceAll("token=[^&]*", "token=…");
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-client-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return new Run(latencies, System.nanoTime() - t0, errors.get(), firstError[0]);
    }
}
