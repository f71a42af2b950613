package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A legacy app whose users live in {@code legacy.members} with its own column names and NOT NULL
 * columns, migrated in Tomcat by web.xml and context.xml alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LegacyAppTomcatTest {
    @TempDir
    static Path tmp;

    private StytchEmulator emulator;
    private TestDatabase db;
    private Deployment app;

    @BeforeAll
    void deploy() throws Exception {
        emulator = StytchEmulator.start();
        db = TestDatabase.create();
        db.exec("CREATE SCHEMA legacy");
        db.exec("CREATE TABLE legacy.members (member_no SERIAL PRIMARY KEY, mail VARCHAR(320) NOT NULL,"
                + " display_name VARCHAR(200) NOT NULL, created_on TIMESTAMPTZ NOT NULL DEFAULT now(),"
                + " stytch_ref VARCHAR(255) CONSTRAINT members_stytch_ref_key UNIQUE)");
        db.exec("CREATE INDEX members_lower_mail_idx ON legacy.members (lower(mail))");
        db.exec("INSERT INTO legacy.members (mail, display_name) VALUES ('Olga.Petrova@Example.com', 'Olga P.'),"
                + " ('paul@example.com', 'Paul')");

        Map<String, String> params = new LinkedHashMap<>();
        params.put("stytchProjectId", "${sys:legacy.test.projectId}");
        params.put("stytchSecret", "${sys:legacy.test.secret}");
        params.put("stytchApiBaseUrl", emulator.baseUrl());
        params.put("dataSourceJndiName", "java:comp/env/jdbc/members");
        params.put("userTable", "legacy.members");
        params.put("userIdColumn", "member_no");
        params.put("emailColumn", "mail");
        params.put("stytchUserIdColumn", "stytch_ref");
        params.put("createUserSql", "INSERT INTO legacy.members (mail, display_name, stytch_ref)"
                + " VALUES (:email, COALESCE(:first_name, :email), :stytch_user_id) RETURNING member_no");
        params.put("successUrl", "/home");
        System.setProperty("legacy.test.projectId", emulator.projectId());
        System.setProperty("legacy.test.secret", emulator.secret());

        WebApp webapp = new WebApp().filter("stytchMigration", params).contextXml(
                "<Context>\n  <Resource name=\"jdbc/members\" auth=\"Container\" type=\"javax.sql.DataSource\"\n"
                        + "    driverClassName=\"org.postgresql.Driver\" url=\"" + WebApp.escape(db.jdbcUrl()) + "\"\n"
                        + "    username=\"" + WebApp.escape(db.user()) + "\" password=\"" + WebApp.escape(db.password()) + "\"\n"
                        + "    maxTotal=\"8\" maxWaitMillis=\"3000\"/>\n</Context>\n");
        app = TomcatDeployment.start(webapp.writeTo(tmp.resolve("legacy-app")), "/legacy", tmp.resolve("tomcat"));
    }

    @AfterAll
    void undeploy() throws Exception {
        System.clearProperty("legacy.test.projectId");
        System.clearProperty("legacy.test.secret");
        if (app != null) {
            app.close();
        }
        emulator.close();
        db.close();
    }

    private HttpResponse<String> login(Browser browser, String token) throws Exception {
        HttpResponse<String> r = browser.get(app.appUrl() + "/authenticate?stytch_token_type=magic_links&token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        return browser.get(app.appUrl() + "/home");
    }

    @Test
    void linksAMemberByCaseInsensitiveMailThenRecognisesThem() throws Exception {
        long olga = db.queryLong("SELECT member_no FROM legacy.members WHERE mail = 'Olga.Petrova@Example.com'");
        Browser browser = new Browser();
        HttpResponse<String> home = login(browser, emulator.magicLinkToken("olga.petrova@example.com"));
        assertThat(Browser.field(home, "sessionUserId")).isEqualTo(Long.toString(olga));
        assertThat(db.queryString("SELECT stytch_ref FROM legacy.members WHERE member_no = " + olga)).startsWith("user-test-");

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
                + " WHERE member_no = " + memberNo)).isEqualTo("quinn@example.com|quinn@example.com|true");
    }

    private long countCreated() {
        return db.queryLong("SELECT count(*) FROM legacy.members WHERE mail NOT IN ('Olga.Petrova@Example.com', 'paul@example.com')");
    }
}
