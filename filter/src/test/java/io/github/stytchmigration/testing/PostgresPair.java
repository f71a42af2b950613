package io.github.stytchmigration.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A PostgreSQL primary and a streaming hot standby of it, on localhost, for failover tests; one
 * database {@value #DATABASE} on both.
 *
 * <p>Both run zonky's binaries, the PostgreSQL of {@link TestDatabase}, which zonky starts in a user
 * namespace when the tests run as root ({@code initdb} and {@code postgres} refuse root), so nothing
 * but Maven Central is needed. The standby is what {@code pg_basebackup -R} makes of a primary (its
 * files, {@code standby.signal} and {@code primary_conninfo}); zonky's bundle has no {@code pg_basebackup},
 * so the files are copied while the primary is stopped cleanly, which is a consistent base backup.
 * Then the primary starts again on its port and the standby streams from it.
 *
 * <pre>{@code
 * try (PostgresPair pair = PostgresPair.start(UsersTable::create)) {
 *     String url = pair.failoverUrl();   // jdbc:postgresql://localhost:P,localhost:S/app?targetServerType=primary&...
 *     pair.stopPrimary();
 *     pair.promoteStandby();
 * }
 * }</pre>
 */
public final class PostgresPair implements AutoCloseable {
    /** The database both servers hold. */
    public static final String DATABASE = "app";
    private static final String USER = "postgres";
    /** A standby may take longer than zonky's default 10 s to accept connections on a loaded machine. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final Path root;
    private final Path primaryDir;
    private final Path standbyDir;
    private int primaryPort;
    private EmbeddedPostgres primary;
    private EmbeddedPostgres standby;

    private PostgresPair(Path root) {
        this.root = root;
        this.primaryDir = root.resolve("primary");
        this.standbyDir = root.resolve("standby");
    }

    /**
     * Starts the primary, creates {@value #DATABASE} and runs {@code schema} in it, makes the standby from
     * the primary's files, and returns once the standby streams from the primary.
     */
    public static PostgresPair start(Consumer<TestDatabase> schema) throws IOException {
        PostgresPair pair = new PostgresPair(Files.createTempDirectory("stytch-migration-pg-pair"));
        try {
            pair.startBoth(schema);
            return pair;
        } catch (IOException | RuntimeException | Error e) {
            pair.close();
            throw e;
        }
    }

    private void startBoth(Consumer<TestDatabase> schema) throws IOException {
        primary = server(primaryDir, 0);
        primaryPort = primary.getPort();
        execOnPostgres(primaryPort, "CREATE DATABASE " + DATABASE);
        schema.accept(primary());
        // a clean shutdown leaves a consistent copy: the standby replays from its shutdown checkpoint
        stopPrimary();
        copyDataDirectory(primaryDir, standbyDir);
        Files.writeString(standbyDir.resolve("standby.signal"), "", StandardCharsets.UTF_8);
        Files.writeString(standbyDir.resolve("postgresql.auto.conf"), "primary_conninfo = 'host=localhost port="
                + primaryPort + " user=" + USER + " application_name=standby'\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        primary = server(primaryDir, primaryPort);
        standby = server(standbyDir, 0);
        awaitStreaming();
    }

    private static EmbeddedPostgres server(Path dataDir, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false) // zonky runs initdb only where there is no postgresql.conf yet
                .setRegisterShutdownHook(false) // close() stops both, then deletes the directories
                .setPGStartupWait(STARTUP_WAIT)
                // zonky turns it off; a failover test wants what a committed login wrote to be in the WAL
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "100");
        if (port != 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    /** Copies a stopped server's data directory, without its lock files; PostgreSQL wants it private (0700). */
    private static void copyDataDirectory(Path from, Path to) throws IOException {
        Set<String> skip = Set.of("postmaster.pid", "epg-lock");
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!skip.contains(source.getFileName().toString())) {
                    Files.copy(source, target);
                }
            }
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
    }

    public int primaryPort() {
        return primaryPort;
    }

    public int standbyPort() {
        return requireStandby().getPort();
    }

    /** {@value #DATABASE} on the primary only. */
    public String primaryUrl() {
        return url(primaryPort);
    }

    /** {@value #DATABASE} on the standby only: read-only until {@link #promoteStandby()}. */
    public String standbyUrl() {
        return url(standbyPort());
    }

    /**
     * Both servers, primary first, for pgjdbc to connect to whichever is the primary now
     * ({@code targetServerType=primary}), as an operator would write it; {@code connectTimeout=2} bounds a
     * connection attempt to a host that does not answer at all. ({@code hostRecheckSeconds}, how long
     * pgjdbc trusts a role it saw, stays at its default: FailoverIT measured the same recovery with 2 s.)
     */
    public String failoverUrl() {
        return "jdbc:postgresql://localhost:" + primaryPort + ",localhost:" + standbyPort() + "/" + DATABASE
                + "?targetServerType=primary&connectTimeout=2";
    }

    public String user() {
        return USER;
    }

    /** Ignored (trust authentication); distinctive, as {@link TestDatabase#password()}. */
    public String password() {
        return TestDatabase.EMBEDDED_PASSWORD;
    }

    /** {@link TestDatabase}'s helpers on the primary's {@value #DATABASE} (closing it drops nothing). */
    public TestDatabase primary() {
        return TestDatabase.existing(primaryUrl(), USER, password());
    }

    /** {@link TestDatabase}'s helpers on the standby's {@value #DATABASE}: reads only, until promoted. */
    public TestDatabase standby() {
        return TestDatabase.existing(standbyUrl(), USER, password());
    }

    /** Waits (at most 30 s) until the standby has replayed everything the primary has written so far. */
    public void awaitStandbyCaughtUp() {
        String primaryLsn = primary().queryString("SELECT pg_current_wal_lsn()::text");
        TestDatabase standby = standby();
        await("the standby to replay up to " + primaryLsn,
                () -> "true".equals(standby.queryString("SELECT (pg_last_wal_replay_lsn() >= ?::pg_lsn)::text", primaryLsn)));
    }

    /** Stops the primary as an operator or a crash would take it away: its port refuses connections from now on. */
    public void stopPrimary() throws IOException {
        if (primary != null) {
            primary.close(); // pg_ctl stop -m fast: sessions are ended, connections break
            primary = null;
        }
    }

    /** Promotes the standby to primary ({@code pg_promote}, waiting for it); it accepts writes when this returns. */
    public void promoteStandby() {
        String promoted = standby().queryString("SELECT pg_promote(true, 60)::text");
        if (!"true".equals(promoted)) {
            throw new IllegalStateException("pg_promote answered " + promoted);
        }
    }

    /** Stops both servers and deletes their data directories. */
    @Override
    public void close() {
        stopServers();
        TestDatabase.deleteTree(root);
    }

    private void stopServers() {
        for (EmbeddedPostgres server : new EmbeddedPostgres[] {standby, primary}) {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException e) {
                    // best effort: the directory goes anyway
                }
            }
        }
        standby = null;
        primary = null;
    }

    private EmbeddedPostgres requireStandby() {
        if (standby == null) {
            throw new IllegalStateException("the standby is not running");
        }
        return standby;
    }

    private void awaitStreaming() {
        TestDatabase onPrimary = primary();
        await("the standby to stream from the primary",
                () -> onPrimary.count("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1);
    }

    private void execOnPostgres(int port, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", USER,
                password()); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }

    private String url(int port) {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
