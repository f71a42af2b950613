package io.github.stytchmigration.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The sample's data directory (default {@code ./.sample-data}): the embedded PostgreSQL's files in
 * {@code postgres/}, the in-process emulator's state in {@code emulator/}, and {@code sample.lock},
 * held while a sample runs on it. Deleting the directory starts over.
 */
final class DataDir implements AutoCloseable {
    static final String LOCK_FILE = "sample.lock";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDir(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates the directory when absent and locks it; a {@link StartProblem} when another sample holds it. */
    static DataDir open(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        // before 0.1.0 the flag named PostgreSQL's own directory (the default was .sample-data/postgres)
        if (Files.isRegularFile(root.resolve("PG_VERSION"))) {
            throw new StartProblem(root + " is a PostgreSQL data directory; --data-dir names the directory that holds"
                    + " postgres/ and emulator/: start with --data-dir " + root.getParent());
        }
        FileChannel channel;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the data directory [" + root + "]", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lock = null; // OverlappingFileLockException: a sample in this JVM holds it
        }
        if (lock == null) {
            closeQuietly(channel);
            throw StartProblem.anotherInstance(root);
        }
        return new DataDir(root, channel, lock);
    }

    Path root() {
        return root;
    }

    /** The embedded PostgreSQL's data directory. */
    Path postgres() {
        return root.resolve("postgres");
    }

    /** The in-process emulator's data directory (its users, sessions, signing keys, outbox). */
    Path emulator() {
        return root.resolve("emulator");
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
