package io.github.stytchmigration.emulator.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Holds the answers of the next {@code count} requests on some paths until that many are waiting,
 * then lets them all go at once. A held answer waits at most {@code timeout}; when the first one
 * times out, every waiting answer goes. Once open the gate holds nothing more. Waiting happens
 * outside the state lock, on the request's own thread.
 */
public final class HoldGate {

    /** The authenticate calls that return a session: what a first-login race goes through. */
    public static final Set<String> AUTHENTICATE_PATHS = Set.of(
            "/v1/magic_links/authenticate", "/v1/oauth/authenticate", "/v1/sessions/authenticate");
    /** At most this many answers can be held: each one holds a server thread. */
    public static final int MAX_COUNT = 32;

    private final Set<String> paths;
    private final int count;
    private final long timeoutNanos;
    private int arrived;
    private boolean open;
    private boolean timedOut;

    public HoldGate(int count, Duration timeout, Set<String> paths) {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count [" + count + "] must be 1.." + MAX_COUNT);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout [" + timeout + "] must be positive");
        }
        if (paths.isEmpty() || paths.stream().anyMatch(p -> p == null || !p.startsWith("/"))) {
            throw new IllegalArgumentException("paths " + paths + " must be non-empty and each start with '/'");
        }
        this.count = count;
        this.timeoutNanos = timeout.toNanos();
        this.paths = Set.copyOf(paths);
    }

    /** Holds the calling request's answer when this gate applies to {@code path}; returns when released. */
    void await(String path) {
        if (!paths.contains(path)) {
            return;
        }
        synchronized (this) {
            if (open) {
                return;
            }
            arrived++;
            if (arrived >= count) {
                open = true;
            }
            notifyAll(); // the waiting answers when open, and awaitHeld
            if (open) {
                return;
            }
            long deadline = System.nanoTime() + timeoutNanos;
            while (!open) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    timedOut = true;
                    open = true;
                    notifyAll();
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Lets every waiting answer go now; nothing more is held. */
    public synchronized void release() {
        open = true;
        notifyAll();
    }

    public int count() {
        return count;
    }

    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    public Set<String> paths() {
        return paths;
    }

    /** Answers held so far (waiting now, or already released). */
    public synchronized int held() {
        return arrived;
    }

    /** Answers waiting right now. */
    public synchronized int waiting() {
        return open ? 0 : arrived;
    }

    public synchronized boolean isOpen() {
        return open;
    }

    /** True when the gate opened because a held answer waited {@code timeout} before {@code count} arrived. */
    public synchronized boolean isTimedOut() {
        return timedOut;
    }

    /** Waits until at least {@code n} answers are held (or the gate opened); true when they are. */
    public synchronized boolean awaitHeld(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrived < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Waits until the gate is open; true when it is. */
    public synchronized boolean awaitOpen(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!open) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
