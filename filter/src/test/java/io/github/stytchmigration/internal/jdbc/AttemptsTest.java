package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The store's retry runner on its own: no database, failures made up with their SQLStates. */
class AttemptsTest {
    private static SQLException state(String sqlState, String message) {
        return new SQLException(message, sqlState);
    }

    @Test
    void returnsTheFirstSettledAnswer() {
        List<Integer> attempts = new ArrayList<>();
        String settled = Attempts.run(4, "settle", (attempt, at) -> {
            attempts.add(attempt);
            return attempt == 2 ? "done" : null;
        });
        assertThat(settled).isEqualTo("done");
        assertThat(attempts).containsExactly(1, 2);
    }

    @Test
    void readsAgainAfterAUniqueViolationAndRetriesASerializationFailure() {
        List<Integer> attempts = new ArrayList<>();
        String settled = Attempts.run(4, "settle", (attempt, at) -> {
            attempts.add(attempt);
            at.at("create a user row", "INSERT ...");
            if (attempt == 1) {
                throw state("23505", "duplicate key: Key (email)=(x@example.com)");
            }
            if (attempt == 2) {
                throw state("40001", "could not serialize access");
            }
            return "created";
        });
        assertThat(settled).isEqualTo("created");
        assertThat(attempts).containsExactly(1, 2, 3);
    }

    @Test
    void outOfAttemptsContentionIsA503WithTheLastFailureAsCauseAndTheEarlierOnesSuppressed() {
        DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class,
                () -> Attempts.run(3, "settle Stytch user u-1", (attempt, at) -> {
                    at.at("link a user row", "UPDATE users SET stytch_user_id = ? WHERE id = ?");
                    throw state(attempt == 3 ? "40P01" : "23505", "Key (email)=(secret@example.com) attempt " + attempt);
                }));
        assertThat(e.getMessage()).isEqualTo("Database busy: Unable to settle Stytch user u-1 after 3 attempts (last: link"
                + " a user row, SQLState 40P01; SQL [UPDATE users SET stytch_user_id = ? WHERE id = ?])");
        assertThat(e.retryAfterSeconds()).isEqualTo(Attempts.CONTENTION_RETRY_AFTER_SECONDS);
        assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("40P01");
        assertThat(e.getSuppressed()).hasSize(2);
        assertThat(((SQLException) e.getSuppressed()[0]).getSQLState()).isEqualTo("23505");
        String everything = e.getMessage() + e.getCause().getMessage() + e.getSuppressed()[0].getMessage()
                + e.getSuppressed()[1].getMessage();
        assertThat(everything).as("driver messages may quote row values").doesNotContain("secret@example.com");
    }

    @Test
    void lostRacesToTheEndAreContentionToo() {
        DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class,
                () -> Attempts.run(2, "settle", (attempt, at) -> {
                    at.at("create a user row", "INSERT ...");
                    throw state("23505", "duplicate key");
                }));
        assertThat(e).hasMessageContaining("after 2 attempts").hasMessageContaining("23505");
    }

    @Test
    void aUnitThatNeverSettlesNamesTheLostRaces() {
        DatabaseException e = catchThrowableOfType(DatabaseException.class, () -> Attempts.run(2, "settle", (attempt, at) -> null));
        assertThat(e).hasMessageContaining("after 2 attempts").hasMessageContaining("createUserSql yielded no id");
        assertThat(e.getSuppressed()).isEmpty();
    }

    @Test
    void anyOtherFailureIsTranslatedAtOnce() {
        List<Integer> attempts = new ArrayList<>();
        DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class, () -> Attempts.run(4, "settle",
                (attempt, at) -> {
                    attempts.add(attempt);
                    at.at("read candidate user rows", "SELECT ...");
                    throw state("08006", "connection failure");
                }));
        assertThat(attempts).containsExactly(1);
        assertThat(e).hasMessageContaining("read candidate user rows").hasMessageContaining("SQL [SELECT ...]");

        DatabaseException other = catchThrowableOfType(DatabaseException.class, () -> Attempts.run(4, "settle",
                (attempt, at) -> {
                    throw state("23502", "null value in column \"name\": Failing row contains (x@example.com)");
                }));
        assertThat(other.getMessage()).contains("SQLState 23502").doesNotContain("x@example.com");
    }

    // PostgreSQL's wording: the constraint name, then the Key detail that quotes values
    private static SQLException duplicate(String constraint, String value) {
        return state("23505", "ERROR: duplicate key value violates unique constraint \"" + constraint + "\"\n  Detail: Key (x)=("
                + value + ") already exists.");
    }

    @Test
    void aViolationOfAnAppConstraintThatPersistsAfterOneReReadFailsAtOnceNamingIt() {
        List<Integer> attempts = new ArrayList<>();
        DatabaseException e = catchThrowableOfType(DatabaseException.class, () -> Attempts.run(4, "settle Stytch user u-1",
                Set.of("users_stytch_user_id_key"), (attempt, at) -> {
                    attempts.add(attempt);
                    at.at("create a user row", "INSERT INTO users (email, username) VALUES (?, ?)");
                    throw duplicate("users_username_key", "secret-name");
                }));
        assertThat(attempts).containsExactly(1, 2);
        assertThat(e.getMessage()).isEqualTo("Unable to settle Stytch user u-1: unique constraint [users_username_key] of the"
                + " table, not the Stytch id column's unique index, refused the row again after a re-read, while trying to"
                + " create a user row (SQLState 23505); check createUserSql and the table's unique constraints;"
                + " SQL [INSERT INTO users (email, username) VALUES (?, ?)]");
        assertThat(e.getMessage() + e.getCause().getMessage()).doesNotContain("secret-name");
    }

    @Test
    void aViolationOfAnotherUniqueIndexFollowedBySettlingIsARaceTheSamePersonWon() {
        // the same person's two first logins: the unique email index refuses the loser first; the re-read finds the row
        String settled = Attempts.run(4, "settle", Set.of("users_stytch_user_id_key"), (attempt, at) -> {
            if (attempt == 1) {
                throw duplicate("users_email_key", "a@example.com");
            }
            return "already linked";
        });
        assertThat(settled).isEqualTo("already linked");
    }

    @Test
    void violationsOfTheStytchIdIndexOrOfUnnamedConstraintsAreRacesUntilAttemptsRunOut() {
        List<Integer> attempts = new ArrayList<>();
        DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class, () -> Attempts.run(4, "settle",
                Set.of("users_stytch_user_id_key"), (attempt, at) -> {
                    attempts.add(attempt);
                    throw attempt % 2 == 0 ? duplicate("users_stytch_user_id_key", "u-1")
                            : state("23505", "une autre langue"); // lc_messages not English: the name cannot be read
                }));
        assertThat(attempts).containsExactly(1, 2, 3, 4);
        assertThat(e).hasMessageContaining("after 4 attempts");
    }

    @Test
    void withoutKnownStytchIdIndexesEveryViolationIsARace() {
        List<Integer> attempts = new ArrayList<>();
        catchThrowableOfType(DatabaseUnavailableException.class, () -> Attempts.run(3, "settle", (attempt, at) -> {
            attempts.add(attempt);
            throw duplicate("users_username_key", "x");
        }));
        assertThat(attempts).containsExactly(1, 2, 3);
    }
}
