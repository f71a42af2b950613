package io.github.stytchmigration.e2e;

import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A unique constraint of the app's own, hit through the filter in Jetty: the operator's {@code createUserSql}
 * derives a username from the email's local part, and a new person's derived name is already taken. That is
 * no race to retry nor an outage: the user gets a 500 page with an incident id, the operator gets a log line
 * with the same id naming the constraint, and neither carries the email or the colliding value (the
 * driver's message quotes the key; {@code JdbcUserStoreIT.AppConstraints} proves the store part).
 */
class AppConstraintIT {
    private static final Pattern INCIDENT = Pattern.compile("Incident: <code>([^<]+)</code>");
    // distinctive, so that any trace of the email or the derived username in a log or page is found
    private static final String LOCAL_PART = "zebulon.quasimodo";
    private static final String NEW_EMAIL = LOCAL_PART + "@example.com";

    private static void usersWithUsernames(TestDatabase db) {
        UsersTable.create(db);
        db.exec("ALTER TABLE users ADD COLUMN username TEXT",
                "CREATE UNIQUE INDEX users_username_key ON users (username)");
    }

    @Test
    void aDerivedUsernameThatIsTakenAnswersAnInternalErrorWithAnIncidentIdAndLogsTheConstraintNotTheValues() throws Exception {
        try (LogCapture logs = LogCapture.start();
             AppStack stack = AppStack.builder()
                     .schema(AppConstraintIT::usersWithUsernames)
                     .webapp((emulator, db) -> WebApp.withMigrationFilter(InitParams.stytch(emulator).jdbc(db)
                             .put("createUserSql", "INSERT INTO users (email, username, stytch_user_id)"
                                     + " VALUES (:email, split_part(:email, '@', 1), :stytch_user_id)")))
                     .start()) {
            // someone else, at another domain, who already has the name the template will derive
            stack.db().exec("INSERT INTO users (email, username) VALUES ('" + LOCAL_PART + "@old.example', '" + LOCAL_PART + "')");
            String before = stack.users().snapshot();
            String token = stack.emulator().magicLinkToken(NEW_EMAIL);

            HttpResponse<String> r = new Browser().callback(stack.appUrl() + "/authenticate", "magic_links", token);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
            assertThat(r.body()).contains("<code>internal_error</code>").contains("contact support")
                    .doesNotContain("users_username_key").doesNotContain("Exception").doesNotContain("INSERT");
            Matcher incident = INCIDENT.matcher(r.body());
            assertThat(incident.find()).as("the page shows an incident id: " + r.body()).isTrue();
            assertThat(stack.users().snapshot()).as("no row written").isEqualTo(before);
            // the operator finds the incident in the log, with the constraint to look at
            assertThat(logs.lines()).filteredOn(line -> (line.message() + line.thrown()).contains(incident.group(1)))
                    .as("a log line carries the incident id").isNotEmpty()
                    .anySatisfy(line -> assertThat(line.message() + line.thrown()).contains("users_username_key"));
            // PostgreSQL's own server log quotes the duplicate key (DETAIL: Key (username)=(...)): the DBA's log, not ours
            logs.assertNoSecretLoggedOutsideTheDatabaseServer(List.of(token, NEW_EMAIL, LOCAL_PART, stack.emulator().secret(), stack.db().password()));
            assertThat(r.body()).doesNotContain(LOCAL_PART).doesNotContain(token);
        }
    }
}
