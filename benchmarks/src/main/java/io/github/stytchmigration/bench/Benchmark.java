package io.github.stytchmigration.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The benchmark harness: the measurements of {@link #measurements()} in order in one JVM, a table with
 * each figure beside its target, and a last line {@code BENCHMARK {json}}. {@code --full} (the default)
 * for the real figures, {@code --smoke} for a few-second run with tiny sizes (the test suite's check
 * that every measurement still runs). {@code --only N[,N...]} runs only those measurements (1-11: their
 * place in {@link #measurements()}), e.g. {@code --only 4} for the scale one. {@code --out DIR} for
 * {@code results.json}, {@code benchmark.png} and {@code output.txt}. How each figure is obtained:
 * BENCHMARKS.md at the repository root.
 */
public final class Benchmark {
    static final String LINE_PREFIX = "BENCHMARK ";

    private Benchmark() {
    }

    /**
     * The measurements, in the order they run; a measurement's number (in {@code --only}, its rows and
     * its chart) is its place here. A new one is a class and one line at the end.
     */
    static List<Measurement> measurements() {
        return List.of(
                new PassThrough(),
                new CallbacksVsFloor(),
                new RoundTrips(),
                new Scale(),
                new HeapAndThreads(),
                new Bulkhead(),
                new SessionSources(),
                new ServersRoundTrips(),
                new ServersThroughput(),
                new ExternalIdSteadyState(),
                new ReportTime());
    }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.FULL;
        Path dir = Paths.get("target", "bench");
        Only only = Only.ALL;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full":
                    mode = Mode.FULL;
                    break;
                case "--smoke":
                    mode = Mode.SMOKE;
                    break;
                case "--out":
                    dir = Paths.get(args[++i]);
                    break;
                case "--only":
                    only = Only.parse(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument [" + args[i] + "]; use --full, --smoke, --only N[,N...], --out DIR");
            }
        }
        run(mode, only, dir, System.out);
        // the SDK's and Jetty's non-daemon threads must not keep the forked JVM alive
        System.exit(0);
    }

    /** Runs every measurement; see {@link #run(Mode, Only, Path, PrintStream)}. */
    static void run(Mode mode, Path dir, PrintStream out) throws Exception {
        run(mode, Only.ALL, dir, out);
    }

    /**
     * Runs the measurements {@code only} selects, prints progress, the table and the last line to
     * {@code out}, and writes {@code output.txt}, {@code results.json} and (when every measurement ran)
     * {@code benchmark.png} to {@code dir}.
     */
    static void run(Mode mode, Only only, Path dir, PrintStream out) throws Exception {
        Files.createDirectories(dir);
        List<Measurement> measurements = measurements();
        Report report = new Report(out);
        LogSink sink = LogSink.install();
        try {
            long t0 = System.nanoTime();
            report.figure("mode", mode.label());
            report.figure("cores", Runtime.getRuntime().availableProcessors());
            report.figure("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            report.figure("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
            report.progress("machine: " + report.figure("cores") + " cores, " + report.figure("java") + ", max heap "
                    + report.figure("max_heap_mb") + " MB");
            try (Bench bench = new Bench(mode, only)) {
                for (int i = 0; i < measurements.size(); i++) {
                    int number = i + 1;
                    if (measurements.get(i).selectedBy(only, number)) {
                        measurements.get(i).run(bench, report.section(number, measurements.size()));
                    }
                }
                report.figure("seconds", Math.round((System.nanoTime() - t0) / 1e9));
            }
        } finally {
            sink.close();
        }
        String text = report.text(mode);
        out.print(text);
        out.flush();
        Files.writeString(dir.resolve("output.txt"), text);
        Files.writeString(dir.resolve("results.json"), report.json() + "\n");
        if (only.includesAll(measurements.size())) {
            report.writeChart(dir.resolve("benchmark.png"));
        }
    }
}
