package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.naming.InitialContext;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.sql.DataSource;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Where the user store's DataSource comes from: a HikariCP pool the filter owns, or the container's JNDI. */
public final class DataSources {
    /**
     * Pool name prefix: each pool is {@code stytch-migration-N}, shown in HikariCP's log lines and in its
     * thread names ({@code stytch-migration-N:housekeeper}, {@code …:connection-adder}, {@code …:connection-closer}).
     */
    public static final String POOL_NAME = "stytch-migration";
    /** Longest wait in {@link #closeOwned} for the closed pool's threads to end. */
    private static final long THREAD_EXIT_WAIT_MILLIS = 2000;
    /** After this, {@link #closeOwned} interrupts the closed pool's threads that are still there. */
    private static final long THREAD_GRACE_MILLIS = 500;
    private static final AtomicInteger POOLS = new AtomicInteger();
    /** HikariCP's floor for every timeout. */
    private static final long MIN_TIMEOUT_MILLIS = 250;
    /** Upper bound of a connection liveness check. */
    private static final long MAX_VALIDATION_TIMEOUT_MILLIS = 2000;

    private DataSources() {
    }

    /**
     * A HikariCP pool owned by the filter (close it on {@code destroy()}).
     *
     * <p>The pool starts even when the database is down ({@code initializationFailTimeout=-1}): logins
     * then answer 503 {@code database_unavailable} until it is back; {@link SchemaCheck} is what reports
     * an unreachable database at init. The password goes to the driver only: HikariCP masks it in its
     * configuration log and {@code toString()} shows the pool name alone.
     *
     * @param jdbcUrl                 e.g. {@code jdbc:postgresql://db:5432/app}
     * @param user                    may be null (then the URL or the driver decides)
     * @param password                may be null
     * @param maxPoolSize             {@code jdbcMaximumPoolSize}, default 10
     * @param connectionTimeoutMillis wait for a connection before failing ({@code jdbcConnectionTimeoutMillis},
     *                                validated by the config: at least HikariCP's floor of 250)
     */
    public static HikariDataSource pool(String jdbcUrl, String user, String password, int maxPoolSize,
                                        long connectionTimeoutMillis) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        long connectionTimeout = connectionTimeoutMillis;
        HikariConfig config = new HikariConfig();
        // unique per pool, so closeOwned() can tell this pool's threads from another webapp's
        config.setPoolName(POOL_NAME + "-" + POOLS.incrementAndGet());
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        String driver = driverClassFor(jdbcUrl);
        if (driver != null) {
            // In a servlet container the driver sits in WEB-INF/lib, which java.sql.DriverManager
            // (initialised by the container's class loader) may not see: name it explicitly.
            config.setDriverClassName(driver);
        }
        config.setMaximumPoolSize(maxPoolSize);
        // Logins are bursty and rare per user: keep few idle connections to a database the app shares.
        config.setMinimumIdle(Math.min(2, maxPoolSize));
        config.setConnectionTimeout(connectionTimeout);
        config.setValidationTimeout(Math.max(MIN_TIMEOUT_MILLIS, Math.min(MAX_VALIDATION_TIMEOUT_MILLIS, connectionTimeout)));
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(true);
        // a connection to a server that turned read-only (failover) is dropped, not kept until maxLifetime
        config.setExceptionOverride(new ReadOnlyEviction());
        return new HikariDataSource(config);
    }

    /**
     * Closes a DataSource the filter owns. For a HikariCP pool it then makes sure the pool's own threads
     * have ended before returning (at most {@value #THREAD_EXIT_WAIT_MILLIS} ms): {@code close()} can
     * return while an executor thread is still exiting, or while the connection adder sleeps in its
     * retry back-off (up to seconds when the database is down), and Tomcat, which looks for a webapp's
     * threads right after {@code destroy()}, logs each one as a likely memory leak. A thread still
     * there after {@value #THREAD_GRACE_MILLIS} ms is interrupted: its pool is closed, so it has
     * nothing left to finish, and HikariCP's back-off ends its sleep on interrupt.
     */
    public static void closeOwned(AutoCloseable dataSource) throws Exception {
        dataSource.close();
        if (dataSource instanceof HikariDataSource) {
            awaitThreads(((HikariDataSource) dataSource).getPoolName() + ":");
        }
    }

    private static void awaitThreads(String namePrefix) {
        long start = System.nanoTime();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (!thread.getName().startsWith(namePrefix)) {
                continue;
            }
            try {
                thread.join(Math.max(1, THREAD_GRACE_MILLIS - elapsedMillis(start)));
                if (thread.isAlive()) {
                    thread.interrupt();
                    long left = THREAD_EXIT_WAIT_MILLIS - elapsedMillis(start);
                    if (left <= 0) {
                        return;
                    }
                    thread.join(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** The JDBC driver class, loaded by this library's class loader, that accepts the URL; null when none is visible. */
    private static String driverClassFor(String jdbcUrl) {
        try {
            for (Driver d : ServiceLoader.load(Driver.class, DataSources.class.getClassLoader())) {
                try {
                    if (d.acceptsURL(jdbcUrl)) {
                        return d.getClass().getName();
                    }
                } catch (SQLException ignored) {
                    // this driver cannot tell: try the next one
                }
            }
        } catch (java.util.ServiceConfigurationError ignored) {
            // a broken driver jar: let HikariCP fall back to DriverManager
        }
        return null;
    }

    /**
     * The container's DataSource, e.g. {@code java:comp/env/jdbc/users}.
     *
     * @throws IllegalStateException naming {@code dataSourceJndiName} when the name is unbound or not a DataSource
     */
    public static DataSource lookup(String jndiName) {
        Objects.requireNonNull(jndiName, "jndiName");
        InitialContext context = null;
        try {
            context = new InitialContext();
            Object found = context.lookup(jndiName);
            if (!(found instanceof DataSource)) {
                throw new IllegalStateException("dataSourceJndiName [" + jndiName + "] is bound to "
                        + (found == null ? "null" : found.getClass().getName()) + ", not a javax.sql.DataSource");
            }
            return (DataSource) found;
        } catch (NameNotFoundException e) {
            throw new IllegalStateException("dataSourceJndiName [" + jndiName + "] is not bound; declare the "
                    + "DataSource in the container (e.g. a <Resource> in Tomcat's context.xml and a <resource-ref> in web.xml)", e);
        } catch (NamingException e) {
            throw new IllegalStateException("dataSourceJndiName [" + jndiName + "] could not be looked up: " + e, e);
        } finally {
            if (context != null) {
                try {
                    context.close();
                } catch (NamingException ignored) {
                    // nothing left to release
                }
            }
        }
    }
}
