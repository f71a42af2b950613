package io.github.stytchmigration.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for tests: ONE embedded server per JVM (zonky, started lazily), or an external
 * server when {@code STYTCH_MIGRATION_TEST_JDBC_URL} (+ {@code _USER}, {@code _PASSWORD}) is set.
 * Each {@link #create()} makes a fresh database, so test classes never see each other's rows.
 *
 * <pre>{@code
 * static final TestDatabase db = TestDatabase.create();
 * @BeforeEach void table() { db.exec("DROP TABLE IF EXISTS users"); db.createDefaultUsersTable(); }
 * }</pre>
 *
 * <p>The embedded server can be stopped and started again on the same port and data directory
 * ({@link #stopServer()}, {@link #startServer()}) for outage tests; databases and rows survive.
 * Against an external server those two throw {@link UnsupportedOperationException}
 * (check {@link #canRestartServer()}).
 *
 * <p>The embedded server trusts every local connection; {@link #password()} still returns a
 * distinctive non-empty value ({@value #EMBEDDED_PASSWORD}) so tests can prove it never reaches a log.
 */
public final class TestDatabase extends RealDatabase {
    /** System property: {@code shared_buffers} of the embedded server (e.g. {@code 1GB}); PostgreSQL's default when unset. */
    public static final String SHARED_BUFFERS_PROPERTY = "stytch.migration.test.pg.sharedBuffers";

    public static final String ENV_URL = "STYTCH_MIGRATION_TEST_JDBC_URL";
    public static final String ENV_USER = "STYTCH_MIGRATION_TEST_JDBC_USER";
    public static final String ENV_PASSWORD = "STYTCH_MIGRATION_TEST_JDBC_PASSWORD";
    /** Ignored by the embedded server (trust authentication); distinctive so log checks can look for it. */
    public static final String EMBEDDED_PASSWORD = "pw-0f1e2d3c-never-logged";

    private static final String EMBEDDED_USER = "postgres";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Object LOCK = new Object();

    private static Server server;

    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final PGSimpleDataSource dataSource;
    /** False for {@link #existing}: a database of a server the test runs itself, never dropped here. */
    private final boolean dropOnClose;

    private TestDatabase(String name, String jdbcUrl, String user, String password, boolean dropOnClose) {
        this.name = name;
        this.dropOnClose = dropOnClose;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        dataSource.setConnectTimeout(5);
    }

    /** A fresh, empty database (unique name) on the shared server. */
    public static TestDatabase create() {
        Server s = server();
        String name = "smt_" + COUNTER.incrementAndGet() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = s.adminConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("CREATE DATABASE " + name + " failed", e);
        }
        return new TestDatabase(name, s.urlFor(name), s.user, s.password, true);
    }

    /**
     * The same helpers on a database of a server the test runs itself (e.g. one of a {@link PostgresPair}),
     * {@code jdbc:postgresql://HOST:PORT/NAME}; {@link #close()} leaves it alone.
     */
    public static TestDatabase existing(String jdbcUrl, String user, String password) {
        String path = jdbcUrl.replaceFirst("\\?.*$", "");
        return new TestDatabase(path.substring(path.lastIndexOf('/') + 1), jdbcUrl, user, password, false);
    }

    private static Server server() {
        synchronized (LOCK) {
            if (server == null) {
                String url = System.getenv(ENV_URL);
                server = url == null || url.isBlank() ? Server.embedded()
                        : new Server(url, System.getenv(ENV_USER), System.getenv(ENV_PASSWORD), null);
            }
            return server;
        }
    }

    /** True when the server is the embedded one, which {@link #stopServer()} can stop and start again. */
    public static boolean canRestartServer() {
        return server().embedded != null;
    }

    /** Stops the embedded server (port and data kept); connections fail until {@link #startServer()}. */
    public static void stopServer() {
        Server s = server();
        synchronized (LOCK) {
            s.requireEmbedded().stop();
        }
    }

    /** Starts the embedded server again on the same port and data directory. Idempotent. */
    public static void startServer() {
        Server s = server();
        synchronized (LOCK) {
            s.requireEmbedded().start();
        }
    }

    /** The server's port (embedded or from the external URL when it names one; else -1). */
    public static int serverPort() {
        Server s = server();
        return s.embedded != null ? s.embedded.port : -1;
    }

    /** Unpooled DataSource of this database (a new physical connection each time; 5 s connect timeout). */
    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    /** {@code jdbc:postgresql://localhost:PORT/NAME}: for a HikariCP pool or a Tomcat JNDI resource. */
    @Override
    public String jdbcUrl() {
        return jdbcUrl;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String password() {
        return password;
    }

    /** The database name (lower case, unquoted). */
    @Override
    public String databaseName() {
        return name;
    }

    /** Creates the app's default {@code users} table: see {@link UsersTable}. */
    @Override
    public void createDefaultUsersTable() {
        UsersTable.create(this);
    }

    /**
     * The first column of the first row as a number, e.g. {@code count("SELECT count(*) FROM users WHERE email = ?", email)};
     * each {@code ?} bound to the next of {@code args}.
     */
    public long count(String sql, Object... args) {
        return firstColumn(sql, args, rs -> rs.getLong(1));
    }

    /**
     * The first column of the first row as a long (e.g. {@code INSERT ... RETURNING id}); each {@code ?}
     * bound to the next of {@code args}.
     */
    public long queryLong(String sql, Object... args) {
        return count(sql, args);
    }

    /** The first column of the first row as a String (null when SQL NULL); each {@code ?} bound to the next of {@code args}. */
    public String queryString(String sql, Object... args) {
        return firstColumn(sql, args, rs -> rs.getString(1));
    }

    private <T> T firstColumn(String sql, Object[] args, Column<T> column) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row: " + sql);
                }
                return column.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Drops this database (terminating its connections); one of {@link #existing} is left alone. The server stays up for other classes. */
    @Override
    public void close() {
        if (!dropOnClose) {
            return;
        }
        Server s = server();
        try (Connection c = s.adminConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            // best effort: the server may be stopped by an outage test
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + jdbcUrl + "]"; // no password
    }

    /** The shared server: its admin connection and, when embedded, its lifecycle. */
    private static final class Server {
        final String adminUrl;
        final String user;
        final String password;
        final Embedded embedded;

        Server(String adminUrl, String user, String password, Embedded embedded) {
            this.adminUrl = adminUrl;
            this.user = user;
            this.password = password;
            this.embedded = embedded;
        }

        static Server embedded() {
            Embedded e = new Embedded();
            e.start();
            return new Server("jdbc:postgresql://localhost:" + e.port + "/postgres", EMBEDDED_USER, EMBEDDED_PASSWORD, e);
        }

        Embedded requireEmbedded() {
            if (embedded == null) {
                throw new UnsupportedOperationException("an external server (" + ENV_URL + ") cannot be stopped by tests");
            }
            return embedded;
        }

        Connection adminConnection() throws SQLException {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(adminUrl);
            ds.setUser(user);
            ds.setPassword(password);
            ds.setConnectTimeout(5);
            return ds.getConnection();
        }

        /** The admin URL with its database replaced: {@code jdbc:postgresql://host:port/NAME?params}. */
        String urlFor(String database) {
            String prefix = "jdbc:postgresql://";
            if (!adminUrl.startsWith(prefix)) {
                throw new IllegalStateException(ENV_URL + " must start with " + prefix);
            }
            int slash = adminUrl.indexOf('/', prefix.length());
            int query = adminUrl.indexOf('?');
            String hostPart = slash < 0 ? (query < 0 ? adminUrl : adminUrl.substring(0, query)) : adminUrl.substring(0, slash);
            String params = query < 0 ? "" : adminUrl.substring(query);
            return hostPart + "/" + database + params;
        }
    }

    /** Zonky's server, restartable on one port and data directory. */
    private static final class Embedded {
        final Path dataDirectory;
        int port;
        EmbeddedPostgres postgres;

        Embedded() {
            try {
                dataDirectory = Files.createTempDirectory("stytch-migration-pg");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop();
                deleteTree(dataDirectory);
            }, "test-database-cleanup"));
        }

        void start() {
            if (postgres != null) {
                return;
            }
            try {
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDirectory)
                        .setCleanDataDirectory(false) // keep the data across stop/start
                        .setRegisterShutdownHook(false) // ours stops it, then deletes the directory
                        .setServerConfig("max_connections", "200");
                // The benchmark sizes PostgreSQL's cache like a production server whose users table fits
                // in memory, so that 10k vs 1M rows compares query plans, not the disk cache.
                String sharedBuffers = System.getProperty(SHARED_BUFFERS_PROPERTY);
                if (sharedBuffers != null && !sharedBuffers.isBlank()) {
                    builder.setServerConfig("shared_buffers", sharedBuffers);
                }
                if (port != 0) {
                    builder.setPort(port);
                }
                postgres = builder.start();
                port = postgres.getPort();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
        }

        void stop() {
            if (postgres == null) {
                return;
            }
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                postgres = null;
            }
        }
    }

    /** Deletes a temporary directory tree, best effort: cleaning up must not hide a test's own failure. */
    public static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // what is left stays in the temporary directory
        }
    }
}
