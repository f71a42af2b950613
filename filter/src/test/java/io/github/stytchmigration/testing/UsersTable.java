package io.github.stytchmigration.testing;

/**
 * The app's {@code users} table in a {@link TestDatabase}, as the filter's defaults expect it:
 * {@code users(id BIGSERIAL PRIMARY KEY, email TEXT, phone TEXT, stytch_user_id VARCHAR(255) UNIQUE,
 * created_at)}, with the {@code lower(email)} and {@code phone} indexes the filter's schema check asks for.
 * Values are bound, never written into SQL text.
 */
public final class UsersTable {
    private static final String[] DDL = {
            "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT, phone TEXT,"
                    + " stytch_user_id VARCHAR(255) UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            "CREATE INDEX users_lower_email_idx ON users (lower(email))",
            "CREATE INDEX users_phone_idx ON users (phone)"};

    private final TestDatabase db;

    public UsersTable(TestDatabase db) {
        this.db = db;
    }

    /** Creates the table and its indexes in {@code db}. */
    public static UsersTable create(TestDatabase db) {
        db.exec(DDL);
        return new UsersTable(db);
    }

    /** Inserts an unlinked user with only an email; returns its id. */
    public long seed(String email) {
        return seed(email, null, null);
    }

    /** Inserts a user; null leaves a column NULL. Returns its id. */
    public long seed(String email, String phone, String stytchUserId) {
        return db.queryLong("INSERT INTO users (email, phone, stytch_user_id) VALUES (?, ?, ?) RETURNING id",
                email, phone, stytchUserId);
    }

    /** Every row as {@code id:email:stytch_user_id}, comma-separated, ordered by id; "" when empty. */
    public String snapshot() {
        return db.queryString("SELECT coalesce(string_agg(id || ':' || coalesce(email, '') || ':' || coalesce(stytch_user_id, ''),"
                + " ',' ORDER BY id), '') FROM users");
    }

    public long count() {
        return db.queryLong("SELECT count(*) FROM users");
    }

    /** The Stytch user id linked to row {@code id}; null when unlinked. */
    public String stytchUserIdOf(long id) {
        return db.queryString("SELECT stytch_user_id FROM users WHERE id = ?", id);
    }

    /** Empties the table and restarts its ids at 1. */
    public void truncate() {
        db.exec("TRUNCATE users RESTART IDENTITY");
    }
}
