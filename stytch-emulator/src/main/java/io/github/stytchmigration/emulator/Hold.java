package io.github.stytchmigration.emulator;

import io.github.stytchmigration.emulator.internal.HoldGate;
import java.time.Duration;
import java.util.Set;

/**
 * A hold on the answers of the next {@link #count()} requests to {@link #paths()}: each answer is
 * computed, then waits until {@code count} answers are waiting, and all of them are sent together,
 * so several app nodes see their first logins complete at the same instant. An answer waits at
 * most {@link #timeout()}; then every waiting answer is sent and {@link #isTimedOut()} is true.
 * Made by {@link StytchEmulator#holdAuthenticateAnswers(int, Duration)}.
 */
public final class Hold {

    private final HoldGate gate;

    Hold(HoldGate gate) {
        this.gate = gate;
    }

    public int count() {
        return gate.count();
    }

    public Duration timeout() {
        return gate.timeout();
    }

    public Set<String> paths() {
        return gate.paths();
    }

    /** Answers held so far, waiting or already sent. */
    public int held() {
        return gate.held();
    }

    /** Answers waiting right now. */
    public int waiting() {
        return gate.waiting();
    }

    /** True once the answers were let go (count reached, timeout, {@link #release()} or reset). */
    public boolean isReleased() {
        return gate.isOpen();
    }

    /** True when the answers were let go because one waited {@link #timeout()}. */
    public boolean isTimedOut() {
        return gate.isTimedOut();
    }

    /** Sends every waiting answer now; nothing more is held. */
    public void release() {
        gate.release();
    }

    /** Waits until {@code n} answers are held; false when {@code timeout} passed first. */
    public boolean awaitHeld(int n, Duration timeout) throws InterruptedException {
        return gate.awaitHeld(n, timeout);
    }

    /** Waits until the answers were let go; false when {@code timeout} passed first. */
    public boolean awaitReleased(Duration timeout) throws InterruptedException {
        return gate.awaitOpen(timeout);
    }
}
