package io.github.stytchmigration.bench;

import io.github.stytchmigration.MigrationOutcome;
import org.knowm.xchart.CategoryChart;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Heap and threads: batches of callbacks to {@code /app} (half CREATED, then the same users again,
 * ALREADY_LINKED); heap after full GCs and the thread count after the first and after the last
 * batches. Targets: heap delta {@code <= 8 MB}, thread growth {@code <= 4}.
 */
final class HeapAndThreads implements Measurement {

    /** Callbacks before the first reading, before the second, and per batch. */
    private record Sizes(int first, int second, int batch) {
        static final Sizes FULL = new Sizes(1_000, 100_000, 1_000);
        static final Sizes SMOKE = new Sizes(20, 60, 20);
    }

    @Override
    public void run(Bench bench, Report.Section report) throws Exception {
        Sizes sizes = bench.mode().pick(Sizes.FULL, Sizes.SMOKE);
        report.heading("memory and threads: heap after a full GC and thread count after " + sizes.first()
                + " and after " + sizes.second() + " callbacks (half CREATED, half ALREADY_LINKED)");
        CallbackApp app = bench.callbackApp();
        int done = 0;
        long[] first = null;
        long t0 = System.nanoTime();
        while (done < sizes.second()) {
            // a fresh emulator state per batch keeps the in-process emulator's own growth out of the figure
            bench.emulator().reset();
            List<String> batch = app.emails("mem", sizes.batch() / 2);
            app.send("/app", batch, MigrationOutcome.CREATED);
            app.send("/app", batch, MigrationOutcome.ALREADY_LINKED);
            done += 2 * batch.size();
            if (first == null && done >= sizes.first()) {
                first = settle(bench);
                report.detail(String.format(Locale.ROOT, "after %,d: heap %.1f MB, %d threads", done, first[0] / 1048576.0, first[1]));
            }
            if (done % 10_000 == 0) {
                report.detail(String.format(Locale.ROOT, "%,d callbacks, %.0f s", done, (System.nanoTime() - t0) / 1e9));
            }
        }
        long[] second = settle(bench);
        report.detail(String.format(Locale.ROOT, "after %,d: heap %.1f MB, %d threads", done, second[0] / 1048576.0, second[1]));
        double heapFirst = first[0] / 1048576.0;
        double heapSecond = second[0] / 1048576.0;
        double delta = heapSecond - heapFirst;
        long threadDelta = second[1] - first[1];
        report.figure("memory_callbacks_first", sizes.first());
        report.figure("memory_callbacks_second", done);
        report.figure("heap_mb_first", heapFirst, 1);
        report.figure("heap_mb_second", heapSecond, 1);
        report.figure("heap_delta_mb", delta, 1);
        report.figure("threads_first", first[1]);
        report.figure("threads_second", second[1]);
        report.figure("threads_delta", threadDelta);
        report.row(String.format(Locale.ROOT, "heap MB after %,d vs %,d callbacks", sizes.first(), done),
                String.format(Locale.ROOT, "%.1f vs %.1f (%+.1f)", heapFirst, heapSecond, delta), "delta <= 8 MB", delta <= 8);
        report.row(String.format(Locale.ROOT, "threads after %,d vs %,d callbacks", sizes.first(), done),
                String.format(Locale.ROOT, "%d vs %d (%+d)", first[1], second[1], threadDelta), "growth <= 4", threadDelta <= 4);
        CategoryChart chart = report.chart("Heap after full GC (MB) and threads", "");
        chart.addSeries("after " + sizes.first(), List.of("heap MB", "threads"), List.of(Stats.round(heapFirst, 1), first[1]));
        chart.addSeries("after " + done, List.of("heap MB", "threads"), List.of(Stats.round(heapSecond, 1), second[1]));
    }

    /** Heap used after full GCs, and live threads, with the emulator's state cleared. */
    private static long[] settle(Bench bench) throws InterruptedException {
        bench.emulator().reset();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(150);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return new long[]{used, ManagementFactory.getThreadMXBean().getThreadCount()};
    }
}
