package io.github.stytchmigration.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.MigrationFilter;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.TestDatabase;

import javax.sql.DataSource;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the measurements of a run share: the run's mode and {@code --only}, a database with the
 * contract's users table, the Stytch emulator, the callback apps (started by the first measurement
 * that asks for them) and whatever must be closed at the end of the run.
 */
final class Bench implements AutoCloseable {
    private final Mode mode;
    private final Only only;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final TestDatabase database;
    private final StytchEmulator emulator;
    private CallbackApp callbackApp;

    Bench(Mode mode, Only only) {
        this.mode = mode;
        this.only = only;
        try {
            database = closeAtEnd(TestDatabase.create());
            database.createDefaultUsersTable();
            emulator = closeAtEnd(StytchEmulator.start());
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    Mode mode() {
        return mode;
    }

    Only only() {
        return only;
    }

    /** The database behind the filter of the callback apps and of pass-through: table {@code users}. */
    TestDatabase database() {
        return database;
    }

    StytchEmulator emulator() {
        return emulator;
    }

    /** The callback apps on their Jetty server, started on first use and kept to the end of the run. */
    CallbackApp callbackApp() throws Exception {
        if (callbackApp == null) {
            callbackApp = closeAtEnd(CallbackApp.start(this));
        }
        return callbackApp;
    }

    /** The filter against the emulator over {@code dataSource}; {@code listener} may be null. */
    MigrationFilter filter(DataSource dataSource, MigrationListener listener) {
        return FilterFactory.filter(emulator, dataSource, listener);
    }

    /** A HikariCP pool of a fixed {@code size} (minimum idle = maximum) on {@code target}. */
    static HikariDataSource pool(TestDatabase target, int size, String name) {
        return pool(target.jdbcUrl(), target.user(), target.password(), size, name);
    }

    /** The same on a database of the per-database measurements. */
    static HikariDataSource pool(BenchDb target, int size, String name) {
        return pool(target.jdbcUrl(), target.user(), target.password(), size, name);
    }

    private static HikariDataSource pool(String jdbcUrl, String user, String password, int size, String name) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        c.setPoolName(name);
        return new HikariDataSource(c);
    }

    /** Closes {@code closeable} at the end of the run, before whatever was registered earlier. */
    <T extends AutoCloseable> T closeAtEnd(T closeable) {
        closeables.push(closeable);
        return closeable;
    }

    @Override
    public void close() {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                // best effort at the end of a run
            }
        }
    }
}
