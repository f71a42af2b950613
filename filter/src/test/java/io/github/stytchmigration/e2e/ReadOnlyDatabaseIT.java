package io.github.stytchmigration.e2e;

import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database that turned read-only under a running app (a replica promoted the wrong way round, a failover
 * in progress, an operator's maintenance switch): in Tomcat with a context.xml DBCP2 resource, a login that
 * must write (a new user, a first link) answers 503 {@code database_unavailable} with Retry-After and writes
 * nothing, while a returning user, whose login only reads, still logs in. {@code PoolExhaustionIT} proves the
 * same at the store level.
 */
class ReadOnlyDatabaseIT {
    private static final String JNDI = "java:comp/env/jdbc/users";

    @Test
    void writesAnswerDatabaseUnavailableWhileReturningUsersStillLogIn() throws Exception {
        try (LogCapture logs = LogCapture.start();
             AppStack stack = AppStack.builder()
                     .container(ServletContainer.TOMCAT)
                     .webapp((emulator, db) -> {
                         Map<String, String> pool = ContextXml.dbcpDataSource(db, 4);
                         // no idle connection is kept, so every login gets a new one and sees the database's new default
                         pool.put("maxIdle", "0");
                         return WebApp.withMigrationFilter(InitParams.stytch(emulator).jndi(JNDI))
                                 .contextXml(new ContextXml().resource("jdbc/users", pool));
                     })
                     .start()) {
            String returning = "returning.rita@example.com";
            String legacy = "legacy.lou@example.com";
            String newcomer = "new.nick@example.com";
            List<String> secrets = new ArrayList<>(List.of(returning, legacy, newcomer,
                    stack.emulator().secret(), stack.db().password()));
            long rita = stack.users().seed(returning);
            stack.users().seed(legacy);
            HttpResponse<String> first = login(stack, returning, secrets);
            assertThat(Browser.field(first, "outcome")).as(first.body()).isEqualTo("LINKED");
            String before = stack.users().snapshot();

            String database = stack.db().databaseName();
            stack.db().exec("ALTER DATABASE " + database + " SET default_transaction_read_only = on");
            try {
                for (String email : List.of(newcomer, legacy)) {
                    HttpResponse<String> r = login(stack, email, secrets);
                    assertThat(r.statusCode()).as(email + ": " + r.body()).isEqualTo(503);
                    assertThat(r.body()).contains("<code>database_unavailable</code>").doesNotContain("Exception")
                            .doesNotContain("read-only").doesNotContain(email);
                    assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(
                            v -> assertThat(Long.parseLong(v)).isPositive());
                }
                // reading the linked row needs no write: a read-only database is no reason to lock its user out
                HttpResponse<String> again = login(stack, returning, secrets);
                assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
                assertThat(Browser.field(again, "outcome")).isEqualTo("ALREADY_LINKED");
                assertThat(Browser.field(again, "sessionUserId")).isEqualTo(Long.toString(rita));
            } finally {
                // this connection is itself read-only by now: lift that first, or the RESET is refused
                stack.db().exec("SET default_transaction_read_only = off",
                        "ALTER DATABASE " + database + " RESET default_transaction_read_only");
            }
            assertThat(stack.users().snapshot()).as("nothing written while read-only").isEqualTo(before);

            // writable again: the newcomer gets a row on the next link, with no restart
            HttpResponse<String> created = login(stack, newcomer, secrets);
            assertThat(Browser.field(created, "outcome")).as(created.body()).isEqualTo("CREATED");
            logs.assertNoSecretLogged(secrets);
        }
    }

    private static HttpResponse<String> login(AppStack stack, String email, List<String> secrets) throws Exception {
        String token = stack.emulator().magicLinkToken(email);
        secrets.add(token);
        HttpResponse<String> r = new Browser().callback(stack.appUrl() + "/authenticate", "magic_links", token);
        assertThat(r.body()).doesNotContain(token);
        return r;
    }
}
