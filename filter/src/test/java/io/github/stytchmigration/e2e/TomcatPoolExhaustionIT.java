package io.github.stytchmigration.e2e;

import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tomcat's own JNDI pools, declared in context.xml as an operator does, with every connection taken: the test
 * borrows them through the very DataSource the filter looked up (the webapp's {@code java:comp/env}), the way
 * the legacy app's other requests would. A callback then waits the pool's short wait and answers 503
 * {@code database_unavailable} with Retry-After, writing nothing; once the connections are back the next
 * login works, with no restart. Both Tomcat pools: DBCP2 (the default factory) and tomcat-jdbc, whose
 * exhaustion exceptions differ ({@code PoolExhaustionIT} proves each at the store level).
 */
class TomcatPoolExhaustionIT {
    private static final String JNDI = "java:comp/env/jdbc/users";
    private static final int POOL_SIZE = 2;
    private static final String EMAIL = "new.nora@example.com";

    enum Pool {
        DBCP2 {
            @Override
            Map<String, String> attributes(TestDatabase db) {
                Map<String, String> a = ContextXml.dbcpDataSource(db, POOL_SIZE);
                a.put("maxWaitMillis", "500");
                return a;
            }
        },
        TOMCAT_JDBC {
            @Override
            Map<String, String> attributes(TestDatabase db) {
                Map<String, String> a = ContextXml.dbcpDataSource(db, POOL_SIZE);
                // tomcat-jdbc names its limits differently and ignores DBCP2's
                a.remove("maxTotal");
                a.remove("maxWaitMillis");
                a.put("factory", "org.apache.tomcat.jdbc.pool.DataSourceFactory");
                a.put("maxActive", Integer.toString(POOL_SIZE));
                a.put("maxIdle", Integer.toString(POOL_SIZE));
                a.put("minIdle", "0");
                a.put("initialSize", "0");
                a.put("maxWait", "500");
                return a;
            }
        };

        abstract Map<String, String> attributes(TestDatabase db);
    }

    @ParameterizedTest
    @EnumSource(Pool.class)
    void answersDatabaseUnavailableWhileEveryPooledConnectionIsHeldAndLogsInOnceOneIsBack(Pool pool) throws Exception {
        try (LogCapture logs = LogCapture.start();
             AppStack stack = AppStack.builder()
                     .container(ServletContainer.TOMCAT)
                     .webapp((emulator, db) -> WebApp.withMigrationFilter(InitParams.stytch(emulator).jndi(JNDI))
                             .contextXml(new ContextXml().resource("jdbc/users", pool.attributes(db))))
                     .start()) {
            List<String> secrets = new ArrayList<>(List.of(EMAIL, stack.emulator().secret(), stack.db().password()));
            DataSource ds = (DataSource) stack.app().lookup(JNDI);
            String spent = stack.emulator().magicLinkToken(EMAIL);
            secrets.add(spent);

            HttpResponse<String> r;
            List<Connection> held = new ArrayList<>();
            try {
                for (int i = 0; i < POOL_SIZE; i++) {
                    held.add(ds.getConnection());
                }
                r = new Browser().callback(stack.appUrl() + "/authenticate", "magic_links", spent);
            } finally {
                for (Connection c : held) {
                    c.close();
                }
            }

            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("<code>database_unavailable</code>")
                    .doesNotContain("Exception").doesNotContain("org.apache").doesNotContain(EMAIL);
            assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(
                    v -> assertThat(Long.parseLong(v)).isPositive());
            assertThat(stack.users().count()).as("nothing written while the pool was exhausted").isZero();
            // Stytch had already made a session for the spent token: it must not outlive the failed login
            awaitRevokes(stack, 1);

            // the connections are back: the same person, with a new link, is created as usual
            String fresh = stack.emulator().magicLinkToken(EMAIL);
            secrets.add(fresh);
            HttpResponse<String> again = new Browser().callback(stack.appUrl() + "/authenticate", "magic_links", fresh);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            assertThat(Browser.field(again, "outcome")).isEqualTo("CREATED");
            assertThat(stack.users().count()).isEqualTo(1);

            logs.assertNoSecretLogged(secrets);
            for (String secret : secrets) {
                assertThat(r.body()).doesNotContain(secret);
            }
        }
    }

    private static void awaitRevokes(AppStack stack, long expected) throws InterruptedException {
        // the revoke may be sent after the answer: poll, with a deadline far beyond any normal delay
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (stack.emulator().requestCount("/v1/sessions/revoke") < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(stack.emulator().requestCount("/v1/sessions/revoke")).as("Stytch sessions revoked").isEqualTo(expected);
    }
}
