package io.github.stytchmigration.internal;

import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.internal.jdbc.DataSources;
import io.github.stytchmigration.internal.jdbc.JdbcUserStore;
import io.github.stytchmigration.internal.jdbc.UserTableMapping;
import io.github.stytchmigration.internal.stytch.SdkStytchAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/**
 * The filter's two outside worlds, built from the config and closed together: the Stytch client
 * (callbacks and sessions) and the user store (with the pool it may own).
 */
public final class Components implements AutoCloseable {
    /** Bound on each SQL statement, so a hung database cannot hold a servlet thread. */
    public static final int QUERY_TIMEOUT_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(Components.class);

    private final StytchAuthenticator stytch;
    private final StytchSessionApi sessions;
    private final UserStore store;

    private Components(StytchAuthenticator stytch, StytchSessionApi sessions, UserStore store) {
        this.stytch = stytch;
        this.sessions = sessions;
        this.store = store;
    }

    /**
     * Builds the store (checking the schema) and the Stytch client. On any failure, whatever was
     * already built is closed again, so a failed init leaves no pool or thread behind.
     *
     * @throws RuntimeException with a message fit for the init error (no secrets)
     */
    public static Components create(MigrationConfig config) {
        UserTableMapping mapping = UserTableMapping.from(config);
        DataSource dataSource;
        boolean owned;
        if (config.dataSource() != null) {
            dataSource = config.dataSource();
            owned = false;
        } else if (config.dataSourceJndiName() != null) {
            dataSource = DataSources.lookup(config.dataSourceJndiName());
            owned = false;
        } else {
            dataSource = DataSources.pool(config.jdbcUrl(), config.jdbcUsername(), config.jdbcPassword(),
                    config.jdbcMaximumPoolSize(), config.jdbcConnectionTimeoutMillis());
            owned = true;
        }
        JdbcUserStore store = null;
        SdkStytchAuthenticator stytch = null;
        try {
            store = new JdbcUserStore(dataSource, mapping, owned, QUERY_TIMEOUT_SECONDS);
            checkSchema(store, mapping);
            stytch = new SdkStytchAuthenticator(config.stytchProjectId(), config.stytchSecret(),
                    config.stytchApiBaseUrl(), config.stytchTimeoutMillis(), config.sessionDurationMinutes());
            return new Components(stytch, stytch, store);
        } catch (RuntimeException e) {
            closeQuietly(stytch);
            if (store != null) {
                closeQuietly(store);
            } else if (owned && dataSource instanceof AutoCloseable) {
                closeQuietly((AutoCloseable) dataSource);
            }
            throw e;
        }
    }

    // A wrong schema fails init (the message carries the DDL to run). An unreachable database does
    // not: the app starts, and the store writes nothing (503 database_unavailable) until a login finds the
    // database back and the check passes.
    private static void checkSchema(JdbcUserStore store, UserTableMapping mapping) {
        try {
            store.checkSchema();
        } catch (MigrationException.DatabaseUnavailableException e) {
            LOG.warn("Could not check the schema of {} at init: the database is unreachable ({}); "
                    + "logins answer 503 database_unavailable until it is back and the check passes", mapping.table(),
                    e.getMessage());
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Failed to close {}", closeable.getClass().getSimpleName(), e);
        }
    }

    public StytchAuthenticator stytch() {
        return stytch;
    }

    /** The same client as {@link #stytch()}, for sessions made elsewhere. */
    public StytchSessionApi sessions() {
        return sessions;
    }

    public UserStore store() {
        return store;
    }

    /** Closes the Stytch client (its threads) and the store (a pool it owns). Idempotent. */
    @Override
    public void close() {
        closeQuietly(stytch);
        closeQuietly(store);
    }
}
