package io.github.stytchmigration.sample;

import io.github.stytchmigration.emulator.StytchEmulator;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A data directory from before the sample kept the emulator's state: its rows are linked to Stytch
 * ids that the new emulator never heard of, so each such user's next login would end in
 * {@code account_conflict}. Once, when the emulator's directory is new, each linked row gets a user
 * in the emulator (same email, else phone) and stores its id; from then on the ids survive restarts.
 */
final class OlderDataDir {
    private OlderDataDir() {
    }

    /** Returns the rows relinked; 0 when the table does not exist yet or nothing is linked. */
    static int relinkToNewEmulator(DataSource dataSource, StytchEmulator emulator) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT to_regclass('users') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0; // first run: the app creates the table
                }
            }
            List<Object[]> linked = new ArrayList<>(); // id, email, phone
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id, email, phone FROM users WHERE stytch_user_id IS NOT NULL ORDER BY id")) {
                while (rs.next()) {
                    linked.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)});
                }
            }
            int done = 0;
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET stytch_user_id = ? WHERE id = ?")) {
                for (Object[] row : linked) {
                    String email = (String) row[1];
                    String phone = email == null ? (String) row[2] : null;
                    try {
                        ps.setString(1, emulator.createUser(email, email != null, phone, phone != null));
                    } catch (RuntimeException e) {
                        continue; // e.g. two rows with one email: the filter reports that row's conflict
                    }
                    ps.setLong(2, (Long) row[0]);
                    done += ps.executeUpdate();
                }
            }
            return done;
        }
    }
}
