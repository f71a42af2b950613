package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.SessionRecord;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code activeUserCondition} through a real web.xml, in Jetty (the filter's own pool) and in Tomcat (a
 * context.xml DataSource found through JNDI): a legacy user the app has disabled follows a valid magic
 * link and is refused with {@code account_disabled}, gets no login, leaves the row as it was, and the
 * Stytch session the authenticate call made is revoked so that nothing outlives the refusal.
 */
class ActiveUserConditionIT {
    private static final String REVOKE = "/v1/sessions/revoke";
    private static final String EMAIL = "disabled.dana@example.com";

    /** Where the filter runs and how it finds the database there. */
    enum Container {
        JETTY(ServletContainer.JETTY) {
            @Override
            WebApp webapp(InitParams params, TestDatabase db) {
                return WebApp.withMigrationFilter(params.jdbc(db));
            }
        },
        TOMCAT(ServletContainer.TOMCAT) {
            @Override
            WebApp webapp(InitParams params, TestDatabase db) {
                return WebApp.withMigrationFilter(params.jndi("java:comp/env/jdbc/users"))
                        .contextXml(new ContextXml().resource("jdbc/users", ContextXml.dbcpDataSource(db, 4)));
            }
        };

        final ServletContainer servletContainer;

        Container(ServletContainer servletContainer) {
            this.servletContainer = servletContainer;
        }

        abstract WebApp webapp(InitParams params, TestDatabase db);
    }

    // a column of the legacy app's own, as such apps mark an account they have switched off
    private static void usersWithDisabledFlag(TestDatabase db) {
        UsersTable.create(db);
        db.exec("ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false");
    }

    private static AppStack start(Container container, UnaryOperator<InitParams> tune) throws Exception {
        return AppStack.builder()
                .container(container.servletContainer)
                .schema(ActiveUserConditionIT::usersWithDisabledFlag)
                .webapp((emulator, db) -> container.webapp(
                        tune.apply(InitParams.stytch(emulator).put("activeUserCondition", "NOT disabled")), db))
                .start();
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aDisabledLegacyUserIsRefusedWithAccountDisabledAndNoLogin(Container container) throws Exception {
        List<String> secrets = new ArrayList<>();
        try (LogCapture logs = LogCapture.start(); AppStack stack = start(container, UnaryOperator.identity())) {
            long id = disabledUser(stack);
            String before = stack.users().snapshot();
            String token = stack.emulator().magicLinkToken(EMAIL);
            secrets.addAll(List.of(token, EMAIL, stack.emulator().secret(), stack.db().password()));
            Browser browser = new Browser();

            HttpResponse<String> r = browser.callback(stack.appUrl() + "/authenticate", "magic_links", token);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(r.body()).contains("<code>account_disabled</code>").contains("contact support")
                    .doesNotContain(EMAIL).doesNotContain("NOT disabled");
            // the refusal is not a login: the browser's session (if any) has no user
            assertThat(Browser.field(browser.get(stack.appUrl() + "/account"), "sessionUserId")).isNull();
            assertThat(stack.users().snapshot()).as("the disabled row is neither linked nor changed").isEqualTo(before);
            assertThat(stack.users().stytchUserIdOf(id)).isNull();
            // Stytch made a session when it authenticated the token; a refused login must not leave it alive
            awaitRevokes(stack.emulator(), 1);
            assertNothingSecretIn(logs, r, secrets);
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void withAFailureUrlADisabledUserIsSentThereAndToldTheLinkIsUsed(Container container) throws Exception {
        List<String> secrets = new ArrayList<>();
        try (LogCapture logs = LogCapture.start();
             AppStack stack = start(container, params -> params.put("failureUrl", "/login"))) {
            disabledUser(stack);
            String before = stack.users().snapshot();
            String token = stack.emulator().magicLinkToken(EMAIL);
            secrets.addAll(List.of(token, EMAIL, stack.emulator().secret(), stack.db().password()));
            Browser browser = new Browser();

            HttpResponse<String> r = browser.callback(stack.appUrl() + "/authenticate", "magic_links", token);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
            // Stytch spent the token before the row was read: the login page must offer a new link, not a retry
            assertThat(r.headers().firstValue("Location"))
                    .hasValue("/app/login?error=account_disabled&link=used");
            assertThat(Browser.field(browser.get(stack.appUrl() + "/account"), "sessionUserId")).isNull();
            assertThat(stack.users().snapshot()).isEqualTo(before);
            awaitRevokes(stack.emulator(), 1);
            assertNothingSecretIn(logs, r, secrets);
        }
    }

    private static long disabledUser(AppStack stack) {
        long id = stack.users().seed(EMAIL);
        stack.db().exec("UPDATE users SET disabled = true");
        return id;
    }

    private static void awaitRevokes(StytchEmulator emulator, long expected) throws InterruptedException {
        // the filter may revoke after answering: poll, with a deadline far beyond any normal delay
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (emulator.requestCount(REVOKE) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(emulator.requestCount(REVOKE)).as("Stytch sessions revoked").isEqualTo(expected);
        assertThat(emulator.revocations()).hasSize((int) expected)
                .allSatisfy(s -> assertThat(s.revokedVia()).isEqualTo(SessionRecord.VIA_API));
    }

    private static void assertNothingSecretIn(LogCapture logs, HttpResponse<String> r, List<String> secrets) {
        logs.assertNoSecretLogged(secrets);
        for (String secret : secrets) {
            assertThat(r.body()).doesNotContain(secret);
            assertThat(r.headers().map().toString()).doesNotContain(secret);
        }
    }
}
