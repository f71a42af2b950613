package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.TestMariaDb;

import io.github.stytchmigration.testing.RealDatabase;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

/**
 * One real database for the store's parameterized suites: a fresh PostgreSQL database
 * ({@link TestDatabase}) or a fresh MariaDB database ({@link TestMariaDb}), with the few statements
 * the tests write differently per database. {@link #toString()} names it in test reports.
 */
abstract class StoreDb implements AutoCloseable {
    private final RealDatabase db;

    private StoreDb(RealDatabase db) {
        this.db = db;
    }

    static StoreDb postgres() {
        return new Postgres(TestDatabase.create());
    }

    static StoreDb mariaDb() {
        return new MariaDb(TestMariaDb.create());
    }

    abstract Dialect dialect();

    /** A DataSource of the same driver whose server is not there: connections are refused. */
    abstract DataSource unreachable();

    /** An auto-generated BIGINT primary key. */
    abstract String autoIdColumn();

    /** The DDL the schema check prints for a missing Stytch id column. */
    abstract String addStytchColumnDdl();

    DataSource dataSource() {
        return db.dataSource();
    }

    String jdbcUrl() {
        return db.jdbcUrl();
    }

    String user() {
        return db.user();
    }

    String password() {
        return db.password();
    }

    void exec(String... sql) {
        db.exec(sql);
    }

    long count(String sql) {
        return db.count(sql);
    }

    List<Map<String, Object>> query(String sql) {
        return db.query(sql);
    }

    /** {@code users(id, email, phone, stytch_user_id UNIQUE, created_at)} with the lookup indexes the schema check asks for. */
    void createDefaultUsersTable() {
        db.createDefaultUsersTable();
    }

    /** Inserts a row and returns its generated id. */
    long insert(String sql) {
        return db.insert(sql);
    }

    @Override
    public void close() {
        db.close();
    }

    long insertUser(String email, String phone, String stytchUserId) {
        return insert("INSERT INTO users (email, phone, stytch_user_id) VALUES (" + literal(email) + ", " + literal(phone)
                + ", " + literal(stytchUserId) + ")");
    }

    static String literal(String value) {
        return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
    }

    static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final class Postgres extends StoreDb {
        Postgres(TestDatabase db) {
            super(db);
        }

        @Override
        Dialect dialect() {
            return Dialect.POSTGRESQL;
        }

        @Override
        DataSource unreachable() {
            org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
            nowhere.setURL("jdbc:postgresql://127.0.0.1:" + closedPort() + "/nothing");
            nowhere.setConnectTimeout(2);
            return nowhere;
        }

        @Override
        String autoIdColumn() {
            return "id BIGSERIAL PRIMARY KEY";
        }

        @Override
        String addStytchColumnDdl() {
            return "ALTER TABLE users ADD COLUMN stytch_user_id VARCHAR(255);";
        }

        @Override
        public String toString() {
            return "PostgreSQL";
        }
    }

    private static final class MariaDb extends StoreDb {
        MariaDb(TestMariaDb db) {
            super(db);
        }

        @Override
        Dialect dialect() {
            return Dialect.MYSQL;
        }

        @Override
        DataSource unreachable() {
            try {
                return new org.mariadb.jdbc.MariaDbDataSource("jdbc:mariadb://127.0.0.1:" + closedPort() + "/nothing?connectTimeout=2000");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        String autoIdColumn() {
            return "id BIGINT AUTO_INCREMENT PRIMARY KEY";
        }

        @Override
        String addStytchColumnDdl() {
            return "ALTER TABLE users ADD COLUMN stytch_user_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin;";
        }

        @Override
        public String toString() {
            return "MariaDB";
        }
    }
}
