package io.github.stytchmigration.testing;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fresh database on a real server that a test owns: PostgreSQL ({@link TestDatabase}) or MariaDB
 * ({@link TestMariaDb}). The plain JDBC helpers every suite uses live here, over {@link #dataSource()};
 * what differs per server (how it starts, its default {@code users} table) lives in the subclass.
 */
public abstract class RealDatabase implements AutoCloseable {
    /** Unpooled DataSource of this database (a new physical connection each time). */
    public abstract DataSource dataSource();

    /** The JDBC URL of this database: for a pool or a container's JNDI resource. */
    public abstract String jdbcUrl();

    public abstract String user();

    public abstract String password();

    /** The database name (lower case, unquoted). */
    public abstract String databaseName();

    /** The app's default {@code users} table with the lookup indexes the schema check asks for. */
    public abstract void createDefaultUsersTable();

    /** Drops this database; the server stays up for other classes. */
    @Override
    public abstract void close();

    /** Runs each statement in autocommit. */
    public void exec(String... sql) {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("exec failed: " + e.getMessage(), e);
        }
    }

    /** The first column of the first row as a number. */
    public long count(String sql) {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row: " + sql);
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("count failed: " + e.getMessage(), e);
        }
    }

    /** Runs an INSERT into a table whose first column is its generated id, and returns that id. */
    public long insert(String sql) {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate(sql, Statement.RETURN_GENERATED_KEYS);
            try (ResultSet rs = st.getGeneratedKeys()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no generated key: " + sql);
                }
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("insert failed: " + e.getMessage(), e);
        }
    }

    /** Every row, column labels lower-cased, values as JDBC returns them. */
    public List<Map<String, Object>> query(String sql) {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + e.getMessage(), e);
        }
    }
}
