package io.github.stytchmigration.testing;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Wraps a DataSource and counts database round trips: every {@code execute*} of a statement, and
 * every {@code getConnection()}. Keeps the SQL texts (no values) in order, for assertions and
 * benchmarks, and the SQLState of every statement the database refused (e.g. {@code 40001}), to show
 * which failures a retry path really met. Thread-safe.
 */
public final class CountingDataSource implements DataSource {
    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final DataSource delegate;
    private final AtomicInteger statements = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> sql = new CopyOnWriteArrayList<>();
    private final List<String> failedSqlStates = new CopyOnWriteArrayList<>();

    public CountingDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** Statements executed since the last {@link #reset()}. */
    public int statements() {
        return statements.get();
    }

    /** Connections obtained since the last {@link #reset()}. */
    public int connections() {
        return connections.get();
    }

    /** The SQL of each executed statement, in order. */
    public List<String> executedSql() {
        return List.copyOf(sql);
    }

    /** The SQLState of each statement that failed with an {@link SQLException}, in order ({@code "none"} when it had none). */
    public List<String> failedSqlStates() {
        return List.copyOf(failedSqlStates);
    }

    public void reset() {
        statements.set(0);
        connections.set(0);
        sql.clear();
        failedSqlStates.clear();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(delegate.getConnection(username, password));
    }

    private Connection wrap(Connection connection) {
        connections.incrementAndGet();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                new Handler(connection, null));
    }

    private final class Handler implements InvocationHandler {
        private final Object target;
        private final String preparedSql;

        Handler(Object target, String preparedSql) {
            this.target = target;
            this.preparedSql = preparedSql;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (EXECUTES.contains(method.getName())) {
                statements.incrementAndGet();
                sql.add(preparedSql != null ? preparedSql : args != null && args.length > 0 ? String.valueOf(args[0]) : "?");
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                if (EXECUTES.contains(method.getName()) && e.getCause() instanceof SQLException failure) {
                    failedSqlStates.add(failure.getSQLState() == null ? "none" : failure.getSQLState());
                }
                throw e.getCause();
            }
            if (result instanceof Statement && target instanceof Connection) {
                String text = method.getName().startsWith("prepare") && args != null ? String.valueOf(args[0]) : null;
                Class<?> type = method.getReturnType();
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{type}, new Handler(result, text));
            }
            return result;
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return delegate.isWrapperFor(iface);
    }
}
