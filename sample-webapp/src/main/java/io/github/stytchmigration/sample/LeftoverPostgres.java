package io.github.stytchmigration.sample;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A PostgreSQL that an earlier sample left running on its data directory. zonky's postmaster is a
 * process of its own, so a sample killed with {@code kill -9} leaves it behind, and every later start
 * would wait 10 s for its own server and give up. The directory is the sample's, so such a postmaster
 * is ours to stop.
 */
final class LeftoverPostgres {
    /** PostgreSQL's lock file: line 1 the postmaster's pid, line 2 its data directory. */
    static final String PID_FILE = "postmaster.pid";
    /** zonky's lock file, held by the JVM that runs the embedded PostgreSQL (not by the postmaster). */
    static final String ZONKY_LOCK = "epg-lock";
    /** A smart shutdown of a postmaster without clients takes well under a second. */
    static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private LeftoverPostgres() {
    }

    /**
     * Stops the postmaster left running on {@code pgDir}, if any, and returns its pid. A
     * {@link StartProblem} when a running sample still owns it, or when it cannot be stopped.
     */
    static OptionalLong stopIfAny(Path pgDir) {
        Path pidFile = pgDir.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return OptionalLong.empty();
        }
        if (heldByAnother(pgDir.resolve(ZONKY_LOCK))) {
            // a sample of a version without sample.lock, or one started on the postgres dir itself
            throw StartProblem.anotherInstance(pgDir.getParent());
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile);
        } catch (IOException e) {
            return OptionalLong.empty(); // unreadable: PostgreSQL will say what it makes of it
        }
        long pid;
        try {
            pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).trim());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return OptionalLong.empty(); // a stale file: PostgreSQL replaces it itself
        }
        if (!isPostgresOn(process.get(), lines, pgDir)) {
            // a reused pid, or a PostgreSQL we cannot see: PostgreSQL refuses to start either way
            throw new StartProblem(pidFile + " names process " + pid + ", which is running; if it is not"
                    + " a PostgreSQL on this directory delete that file, else stop it with: kill -INT " + pid);
        }
        // SIGTERM: PostgreSQL's smart shutdown; the killed sample's connections are already gone
        process.get().destroy();
        try {
            process.get().onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new StartProblem("the PostgreSQL left running on " + pgDir + " (pid " + pid
                    + ") did not stop; stop it with: kill -INT " + pid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartProblem("interrupted while stopping the PostgreSQL left running on " + pgDir);
        }
        return OptionalLong.of(pid);
    }

    private static boolean isPostgresOn(ProcessHandle process, List<String> pidFileLines, Path pgDir) {
        Optional<String> command = process.info().command();
        if (command.isEmpty() || !Path.of(command.get()).getFileName().toString().startsWith("postgres")
                || pidFileLines.size() < 2) {
            return false;
        }
        try {
            return Path.of(pidFileLines.get(1).trim()).toRealPath().equals(pgDir.toRealPath());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** True when another process (or this JVM) holds the lock on this file. */
    private static boolean heldByAnother(Path lockFile) {
        if (!Files.isRegularFile(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false; // cannot tell: zonky's own lock() decides
        }
    }
}
