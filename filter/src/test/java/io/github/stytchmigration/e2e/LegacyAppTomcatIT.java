package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A legacy app whose users live in {@code legacy.members} with its own column names and NOT NULL
 * columns, migrated in Tomcat by web.xml and context.xml alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LegacyAppTomcatIT {
    private AppStack stack;
    private StytchEmulator emulator;
    private TestDatabase db;

    @BeforeAll
    void deploy() throws Exception {
        stack = AppStack.builder()
                .container(ServletContainer.TOMCAT)
                .contextPath("/legacy")
                .schema(LegacyAppTomcatIT::createMembers)
                .webapp(LegacyAppTomcatIT::webapp)
                .start();
        emulator = stack.emulator();
        db = stack.db();
    }

    private static void createMembers(TestDatabase db) {
        db.exec("CREATE SCHEMA legacy",
                "CREATE TABLE legacy.members (member_no SERIAL PRIMARY KEY, mail VARCHAR(320) NOT NULL,"
                        + " display_name VARCHAR(200) NOT NULL, created_on TIMESTAMPTZ NOT NULL DEFAULT now(),"
                        + " stytch_ref VARCHAR(255) CONSTRAINT members_stytch_ref_key UNIQUE)",
                "CREATE INDEX members_lower_mail_idx ON legacy.members (lower(mail))",
                "INSERT INTO legacy.members (mail, display_name) VALUES ('Olga.Petrova@Example.com', 'Olga P.'),"
                        + " ('paul@example.com', 'Paul')");
    }

    private static WebApp webapp(StytchEmulator emulator, TestDatabase db) {
        // the credentials kept out of web.xml, as a Tomcat operator does: placeholders for system properties
        System.setProperty("legacy.test.projectId", emulator.projectId());
        System.setProperty("legacy.test.secret", emulator.secret());
        InitParams params = InitParams.stytch(emulator)
                .put("stytchProjectId", "${sys:legacy.test.projectId}")
                .put("stytchSecret", "${sys:legacy.test.secret}")
                .jndi("java:comp/env/jdbc/members")
                .put("userTable", "legacy.members")
                .put("userIdColumn", "member_no")
                .put("emailColumn", "mail")
                .put("stytchUserIdColumn", "stytch_ref")
                .put("createUserSql", "INSERT INTO legacy.members (mail, display_name, stytch_ref)"
                        + " VALUES (:email, COALESCE(:first_name, :email), :stytch_user_id) RETURNING member_no")
                .put("successUrl", "/home");
        return WebApp.withMigrationFilter(params)
                .contextXml(new ContextXml().resource("jdbc/members", ContextXml.dbcpDataSource(db, 8)));
    }

    @AfterAll
    void undeploy() throws Exception {
        System.clearProperty("legacy.test.projectId");
        System.clearProperty("legacy.test.secret");
        if (stack != null) {
            stack.close();
        }
    }

    private HttpResponse<String> login(Browser browser, String token) throws Exception {
        HttpResponse<String> r = browser.callback(stack.appUrl() + "/authenticate", "magic_links", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        return browser.get(stack.appUrl() + "/home");
    }

    @Test
    void linksAMemberByCaseInsensitiveMailThenRecognisesThem() throws Exception {
        long olga = db.queryLong("SELECT member_no FROM legacy.members WHERE mail = ?", "Olga.Petrova@Example.com");
        Browser browser = new Browser();
        HttpResponse<String> home = login(browser, emulator.magicLinkToken("olga.petrova@example.com"));
        assertThat(Browser.field(home, "sessionUserId")).isEqualTo(Long.toString(olga));
        assertThat(db.queryString("SELECT stytch_ref FROM legacy.members WHERE member_no = ?", olga)).startsWith("user-test-");

        HttpResponse<String> again = login(new Browser(), emulator.magicLinkToken("olga.petrova@example.com"));
        assertThat(Browser.field(again, "sessionUserId")).isEqualTo(Long.toString(olga));
        assertThat(db.queryLong("SELECT count(*) FROM legacy.members")).isEqualTo(2 + countCreated());
    }

    @Test
    void createsANewMemberFillingTheNotNullColumnsThroughCreateUserSql() throws Exception {
        Browser browser = new Browser();
        HttpResponse<String> home = login(browser, emulator.magicLinkToken("quinn@example.com"));
        String memberNo = Browser.field(home, "sessionUserId");
        assertThat(db.queryString("SELECT mail || '|' || display_name || '|' || (created_on IS NOT NULL) FROM legacy.members"
                + " WHERE member_no = ?", Integer.parseInt(memberNo))).isEqualTo("quinn@example.com|quinn@example.com|true");
    }

    private long countCreated() {
        return db.queryLong("SELECT count(*) FROM legacy.members WHERE mail NOT IN (?, ?)",
                "Olga.Petrova@Example.com", "paul@example.com");
    }
}
