package io.github.stytchmigration.bench;

/**
 * One measurement of the harness. It takes what it needs from {@link Bench} (the database, the
 * emulator, the callback apps, the run's mode to pick its sizes) and reports through its
 * {@link Report.Section}: progress lines, table rows (each figure beside its target), JSON figures
 * and at most one chart. Its number is its place in {@link Benchmark#measurements()}.
 * <p>
 * To add a measurement: a class that implements this, and one line in {@link Benchmark#measurements()}.
 */
interface Measurement {

    /** Runs the measurement; it fails the run by throwing (a callback with the wrong outcome, an HTTP error). */
    void run(Bench bench, Report.Section report) throws Exception;

    /** Whether {@code --only} selects this measurement, numbered {@code number}. */
    default boolean selectedBy(Only only, int number) {
        return only.includes(number);
    }
}
