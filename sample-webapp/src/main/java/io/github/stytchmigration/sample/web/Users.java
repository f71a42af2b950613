package io.github.stytchmigration.sample.web;

import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationReport;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The app's own reads and writes of its {@code users} table. */
final class Users {
    private static final String COLUMNS =
            "id, email, phone, display_name, legacy_totp, mfa_reenrolled_at, origin, created_at, stytch_user_id";

    /** One row of the table. */
    record User(long id, String email, String phone, String displayName, boolean legacyTotp,
                OffsetDateTime mfaReenrolledAt, String origin, OffsetDateTime createdAt, String stytchUserId) {

        /** Had TOTP in the legacy system, is on Stytch now, and has not set TOTP up there yet. */
        boolean needsTotpReenrollment() {
            return legacyTotp && stytchUserId != null && mfaReenrolledAt == null;
        }

        String status() {
            if (stytchUserId == null) {
                return "Not yet migrated";
            }
            return "stytch_signup".equals(origin) ? "Created at first login" : "Linked to Stytch";
        }
    }

    /** The numbers of the progress page; {@code report} is the filter's own progress report, masked. */
    record Progress(long total, long linked, long created, long notMigrated, long mfaPending, String report) {
    }

    private final DataSource dataSource;

    Users(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Optional<User> find(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    List<User> all() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + COLUMNS + " FROM users ORDER BY id")) {
            List<User> users = new ArrayList<>();
            while (rs.next()) {
                users.add(map(rs));
            }
            return users;
        }
    }

    /**
     * The filter's {@link MigrationReport} over this table (the mapping of web.xml's filter; sign-ups are told apart
     * by the {@code origin} its createUserSql sets), plus the sample's own TOTP count.
     */
    Progress progress(Settings settings) throws SQLException {
        MigrationConfig mapping = MigrationConfig.builder().stytchProjectId(settings.projectId())
                .stytchSecret(settings.secret()).dataSource(dataSource).phoneColumn("phone").build();
        MigrationReport report = MigrationReport.run(dataSource, mapping,
                new MigrationReport.Options().createdCondition("origin = 'stytch_signup'"));
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM users WHERE legacy_totp AND mfa_reenrolled_at IS NULL")) {
            rs.next();
            return new Progress(report.totalRows(), report.linkedExistingRows(), report.createdRows(),
                    report.notMigratedRows(), rs.getLong(1), report.toTable(false));
        }
    }

    /**
     * The row's legacy TOTP secret (base32), or null. Kept out of {@link User} so that no page or log
     * line that shows a user can show it.
     */
    String legacyTotpSecret(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT legacy_totp_secret FROM users WHERE id = ? AND legacy_totp")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Records the TOTP re-enrollment; only the first one counts. */
    void markTotpReenrolled(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE users SET mfa_reenrolled_at = now() WHERE id = ? AND mfa_reenrolled_at IS NULL")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    private static User map(ResultSet rs) throws SQLException {
        return new User(rs.getLong("id"), rs.getString("email"), rs.getString("phone"), rs.getString("display_name"),
                rs.getBoolean("legacy_totp"), rs.getObject("mfa_reenrolled_at", OffsetDateTime.class),
                rs.getString("origin"), rs.getObject("created_at", OffsetDateTime.class), rs.getString("stytch_user_id"));
    }
}
