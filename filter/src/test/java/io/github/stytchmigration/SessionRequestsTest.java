package io.github.stytchmigration;

import io.github.stytchmigration.internal.session.HttpSessionLogin;
import io.github.stytchmigration.internal.session.SessionRequest;
import io.github.stytchmigration.testing.TesterHttpServletRequest;
import io.github.stytchmigration.testing.TesterHttpSession;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a request's Stytch credentials and its HttpSession's login, without a container. */
class SessionRequestsTest {
    private static SessionRequests reader(UnaryOperator<MigrationConfig.Builder> settings) {
        return new SessionRequests(settings.apply(MigrationConfig.builder().stytchProjectId("project-test-x")
                .stytchSecret("secret").dataSource(new PGSimpleDataSource())).build());
    }

    @Test
    void readsTheFirstNonEmptyValueOfEachSessionCookie() {
        SessionRequest r = reader(b -> b.sessionSources("cookie")).parse(TesterHttpServletRequest.get("/page")
                .cookie("other", "x").cookie("stytch_session_jwt", "").cookie("stytch_session_jwt", "jwt-1")
                .cookie("stytch_session_jwt", "jwt-2").cookie("stytch_session", "token-1"));
        assertThat(r.jwt()).isEqualTo("jwt-1");
        assertThat(r.sessionToken()).isEqualTo("token-1");
        assertThat(r.source()).isEqualTo("cookie");
        assertThat(r.current()).isSameAs(HttpSessionLogin.NONE);
        assertThat(r.toString()).doesNotContain("jwt-1").doesNotContain("token-1");
    }

    @Test
    void aBearerHeaderIsTheOnlyCredentialWhenBearerIsOn() {
        TesterHttpServletRequest request = TesterHttpServletRequest.get("/api").header("Authorization", "bearer  jwt-b ")
                .cookie("stytch_session_jwt", "jwt-c").cookie("stytch_session", "token-c");
        SessionRequest both = reader(b -> b.sessionSources("cookie,bearer")).parse(request);
        assertThat(both.jwt()).isEqualTo("jwt-b");
        assertThat(both.sessionToken()).isNull();
        assertThat(both.source()).isEqualTo("bearer");
        assertThat(both.hasCookies()).isFalse();

        SessionRequest cookiesOnly = reader(b -> b.sessionSources("cookie")).parse(request);
        assertThat(cookiesOnly.jwt()).isEqualTo("jwt-c");

        SessionRequest basic = reader(b -> b.sessionSources("bearer")).parse(TesterHttpServletRequest.get("/api")
                .header("Authorization", "Basic dXNlcjpwdw=="));
        assertThat(basic.jwt()).as("another scheme is not ours").isNull();
    }

    @Test
    void honoursRenamedCookies() {
        SessionRequest r = reader(b -> b.sessionSources("cookie").sessionJwtCookie("app_jwt").sessionTokenCookie("app_token"))
                .parse(TesterHttpServletRequest.get("/").cookie("stytch_session_jwt", "ignored").cookie("app_jwt", "mine")
                        .cookie("app_token", "tok"));
        assertThat(r.jwt()).isEqualTo("mine");
        assertThat(r.sessionToken()).isEqualTo("tok");
    }

    @Test
    void readsWhoTheHttpSessionIsLoggedInAsAndThroughWhat() {
        TesterHttpSession session = new TesterHttpSession("S");
        session.session().setAttribute("stytchMigration.userId", 42L);
        session.session().setAttribute(MigrationFilter.SESSION_LOGIN_SOURCE, "cookie");
        session.session().setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_ID, "session-test-1");
        session.session().setAttribute(HttpSessionLogin.CONFIRMED_AT_ATTRIBUTE, 1_700_000_000L);
        HttpSessionLogin current = SessionRequests.current(TesterHttpServletRequest.get("/").session(session),
                "stytchMigration.userId");
        assertThat(current.userId()).isEqualTo("42");
        assertThat(current.source()).isEqualTo("cookie");
        assertThat(current.stytchSessionId()).isEqualTo("session-test-1");
        assertThat(current.confirmedAt()).isEqualTo(1_700_000_000L);
        assertThat(current.fromSessionSource()).isTrue();

        TesterHttpServletRequest none = TesterHttpServletRequest.get("/");
        assertThat(SessionRequests.current(none, "stytchMigration.userId")).isSameAs(HttpSessionLogin.NONE);
        assertThat(none.testerSession()).as("no session is created").isNull();
    }
}
