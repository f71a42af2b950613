package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationOutcome;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What one filter instance has done since init, for an operator: logins per outcome, failures per code,
 * logins in flight, and the time spent waiting on Stytch and on the database (totals, and percentiles of the
 * last {@value #RECENT} calls). Free of JMX and servlets; {@code MetricsMBean} and {@code MigrationMeterBinder}
 * publish it.
 *
 * <p>Only callbacks (and other logins) touch it: a request that is not a login never does. Each update is one
 * {@link LongAdder} increment or one slot of a ring buffer, so recording stays far below a database round trip.
 */
public final class MigrationMetrics {
    /** How many of the latest calls the percentiles cover. */
    public static final int RECENT = 1024;

    private final Map<MigrationOutcome, LongAdder> outcomes = new EnumMap<>(MigrationOutcome.class);
    private final Map<ErrorCode, LongAdder> failures = new EnumMap<>(ErrorCode.class);
    private final LongAdder busyRejections = new LongAdder();
    private final LongAdder relinks = new LongAdder();
    private final LongAdder externalIdWrites = new LongAdder();
    private final LongAdder externalIdWriteFailures = new LongAdder();
    private final LongAdder externalIdRefusals = new LongAdder();
    private final Timer stytch = new Timer();
    private final Timer database = new Timer();
    private volatile IntSupplier inFlight = () -> 0;

    public MigrationMetrics() {
        for (MigrationOutcome o : MigrationOutcome.values()) {
            outcomes.put(o, new LongAdder());
        }
        for (ErrorCode c : ErrorCode.values()) {
            failures.put(c, new LongAdder());
        }
    }

    // --- recording (the login path) ---

    public void outcome(MigrationOutcome outcome) {
        outcomes.get(outcome).increment();
    }

    public void failure(ErrorCode code) {
        failures.get(code).increment();
    }

    public void busyRejection() {
        busyRejections.increment();
    }

    public void relinked() {
        relinks.increment();
    }

    public void stytchCall(long nanos) {
        stytch.record(nanos);
    }

    public void databaseCall(long nanos) {
        database.record(nanos);
    }

    /** A users.update of external_id that Stytch accepted. */
    public void externalIdWritten() {
        externalIdWrites.increment();
    }

    /** A users.update of external_id that failed (5xx, timeout, network): retried at the user's next login. */
    public void externalIdWriteFailed() {
        externalIdWriteFailures.increment();
    }

    /** An external_id not written for good: invalid, or taken by another Stytch user. */
    public void externalIdRefused() {
        externalIdRefusals.increment();
    }

    /** Where the number of logins in flight is read from (the bulkhead's permits). */
    void inFlightFrom(IntSupplier supplier) {
        this.inFlight = supplier;
    }

    // --- reading (JMX, Micrometer, tests) ---

    /** Successful logins with this outcome. */
    public long logins(MigrationOutcome outcome) {
        return outcomes.get(outcome).sum();
    }

    /** Successful logins, every outcome. */
    public long logins() {
        long sum = 0;
        for (LongAdder a : outcomes.values()) {
            sum += a.sum();
        }
        return sum;
    }

    /** Failed callbacks answered with this code. */
    public long failures(ErrorCode code) {
        return failures.get(code).sum();
    }

    /** Failed callbacks, every code. */
    public long failures() {
        long sum = 0;
        for (LongAdder a : failures.values()) {
            sum += a.sum();
        }
        return sum;
    }

    /** Callbacks refused at once because {@code maxConcurrentCallbacks} were in flight (also counted as stytch_unavailable). */
    public long busyRejections() {
        return busyRejections.sum();
    }

    /** Rows moved from one Stytch user to another under {@code conflictPolicy=relink}. */
    public long relinks() {
        return relinks.sum();
    }

    public long externalIdWrites() {
        return externalIdWrites.sum();
    }

    public long externalIdWriteFailures() {
        return externalIdWriteFailures.sum();
    }

    public long externalIdRefusals() {
        return externalIdRefusals.sum();
    }

    /** Logins waiting on Stytch or the database right now. */
    public int inFlight() {
        return inFlight.getAsInt();
    }

    /** Calls to Stytch during logins: a callback's authenticate, a session login's users.get or sessions.authenticate. */
    public Timer stytch() {
        return stytch;
    }

    /** Link-or-create units (every statement of one login, retries included). */
    public Timer database() {
        return database;
    }

    /**
     * A count, a total and the percentiles of the latest {@value #RECENT} durations, in a ring buffer: writers
     * never wait, and a reader copies and sorts at most {@value #RECENT} values (JMX polls every few seconds).
     */
    public static final class Timer {
        private final LongAdder count = new LongAdder();
        private final LongAdder totalNanos = new LongAdder();
        private final AtomicLong next = new AtomicLong();
        private final AtomicLongArray recent = new AtomicLongArray(RECENT);

        void record(long nanos) {
            long n = Math.max(0, nanos);
            count.increment();
            totalNanos.add(n);
            recent.lazySet((int) (next.getAndIncrement() & (RECENT - 1)), n);
        }

        public long count() {
            return count.sum();
        }

        public double totalMillis() {
            return totalNanos.sum() / 1e6;
        }

        /**
         * The {@code p}-quantile (0..1) of the latest {@value #RECENT} durations in ms (nearest rank); 0 before
         * the first call.
         */
        public double recentMillis(double p) {
            int n = (int) Math.min(next.get(), RECENT);
            if (n == 0) {
                return 0;
            }
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = recent.get(i);
            }
            Arrays.sort(values);
            int rank = (int) Math.ceil(p * n) - 1;
            return values[Math.max(0, Math.min(n - 1, rank))] / 1e6;
        }
    }
}
