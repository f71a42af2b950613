package io.github.stytchmigration.sample.web;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The legacy {@code users} table as the old app had it (with its TOTP flag and secret), plus the column
 * and indexes the migration needs. Created on first start and seeded only while empty, so a restart
 * keeps everyone's progress.
 */
final class Schema {
    static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS users ("
            + " id BIGSERIAL PRIMARY KEY,"
            + " email TEXT,"
            + " phone TEXT,"
            + " display_name TEXT NOT NULL,"
            + " legacy_totp BOOLEAN NOT NULL DEFAULT FALSE,"
            + " legacy_totp_secret TEXT,"
            + " mfa_reenrolled_at TIMESTAMPTZ,"
            + " origin TEXT NOT NULL DEFAULT 'legacy',"
            + " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            // added for the migration: UNIQUE makes two simultaneous first logins give one row
            + " stytch_user_id VARCHAR(255) UNIQUE)",
        // data dirs made before the sample checked the legacy factor lack the column
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS legacy_totp_secret TEXT",
        // the filter matches emails case-insensitively and phones exactly
        "CREATE INDEX IF NOT EXISTS users_lower_email_idx ON users (lower(email))",
        "CREATE INDEX IF NOT EXISTS users_phone_idx ON users (phone)",
    };

    /** email, phone, display name, had TOTP in the legacy system. Mixed-case emails on purpose. */
    static final Object[][] SEED = {
        {"Alice.Anderson@Example.com", "+15555550101", "Alice Anderson", false},
        {"bob.brown@example.com", null, "Bob Brown", false},
        {"CAROL.CHEN@example.com", "+15555550103", "Carol Chen", false},
        {"dmitri@Example.org", null, "Dmitri Dvořák", false},
        {"Erin.Evans@example.com", null, "Erin Evans", false},
        {"farah@example.net", "+15555550106", "Farah Farouk", false},
        {"Gus.Garcia@Example.com", null, "Gus Garcia", false},
        {"hana.hoshino@example.com", null, "Hana Hoshino", false},
        {"IVAN@example.com", "+15555550109", "Ivan Ivanov", false},
        {"jordan.oneil@example.com", null, "Jordan O'Neil <Jo>", false},
        {"kim.kowalski@example.com", "+15555550111", "Kim Kowalski", false},
        {"Tess.Taylor@example.com", null, "Tess Taylor", true},
    };

    private Schema() {
    }

    /** Idempotent: creates what is missing; seeds only an empty table. Returns the rows seeded. */
    static int createAndSeed(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement st = c.createStatement()) {
                for (String ddl : DDL) {
                    st.execute(ddl);
                }
            }
            c.setAutoCommit(false);
            try {
                int seeded = 0;
                try (Statement st = c.createStatement()) {
                    // two app instances starting at once must not seed twice
                    st.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
                    try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM users)")) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            seeded = seed(c);
                        }
                    }
                }
                giveLegacyTotpSecrets(c);
                c.commit();
                return seeded;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * A legacy TOTP secret for each row that had TOTP but has none here: new rows, and rows of data dirs
     * made before this column. Random per data dir, so no secret lives in the source; nobody holds
     * these users' old authenticators, so emulator mode shows the current code on the page instead.
     */
    private static void giveLegacyTotpSecrets(Connection c) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM users WHERE legacy_totp AND legacy_totp_secret IS NULL")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE users SET legacy_totp_secret = ? WHERE id = ?")) {
            for (long id : ids) {
                ps.setString(1, LegacyTotp.newSecret());
                ps.setLong(2, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static int seed(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (email, phone, display_name, legacy_totp, created_at)"
                        + " VALUES (?, ?, ?, ?, now() - make_interval(days => ?))")) {
            int i = 0;
            for (Object[] row : SEED) {
                ps.setString(1, (String) row[0]);
                ps.setString(2, (String) row[1]);
                ps.setString(3, (String) row[2]);
                ps.setBoolean(4, (Boolean) row[3]);
                ps.setInt(5, 3650 - 97 * i++); // the legacy rows are years old
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return SEED.length;
    }
}
