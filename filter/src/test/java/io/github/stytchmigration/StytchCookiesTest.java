package io.github.stytchmigration;

import io.github.stytchmigration.testing.TesterHttpServletRequest;
import io.github.stytchmigration.testing.TesterHttpServletResponse;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The session cookies as the filter writes them: the way Stytch's frontend SDK does. */
class StytchCookiesTest {
    private static StytchCookies cookies(UnaryOperator<MigrationConfig.Builder> settings) {
        return new StytchCookies(settings.apply(MigrationConfig.builder().stytchProjectId("project-test-x")
                .stytchSecret("secret").dataSource(new PGSimpleDataSource())).build());
    }

    @Test
    void writesTheFreshJwtReadableByTheSdkForTheSessionsLifetime() {
        TesterHttpServletResponse response = new TesterHttpServletResponse();
        cookies(b -> b).setJwt(TesterHttpServletRequest.get("/"), response, "jwt", 3600);
        assertThat(response.getHeaders("Set-Cookie"))
                .containsExactly("stytch_session_jwt=jwt; Path=/; Max-Age=3600; SameSite=Lax");
    }

    @Test
    void addsSecureOnSecureRequestsAndHttpOnlyOnlyWhenConfigured() {
        TesterHttpServletResponse response = new TesterHttpServletResponse();
        cookies(b -> b.sessionJwtCookieHttpOnly(true).sessionJwtCookie("app_jwt"))
                .setJwt(TesterHttpServletRequest.get("/").secure(true), response, "jwt", -5);
        assertThat(response.getHeaders("Set-Cookie"))
                .containsExactly("app_jwt=jwt; Path=/; Max-Age=0; SameSite=Lax; Secure; HttpOnly");
    }

    @Test
    void clearsBothCookies() {
        TesterHttpServletResponse response = new TesterHttpServletResponse();
        cookies(b -> b).clear(TesterHttpServletRequest.get("/").secure(true), response);
        assertThat(response.getHeaders("Set-Cookie")).containsExactly(
                "stytch_session_jwt=; Path=/; Max-Age=0; SameSite=Lax; Secure",
                "stytch_session=; Path=/; Max-Age=0; SameSite=Lax; Secure");
    }
}
