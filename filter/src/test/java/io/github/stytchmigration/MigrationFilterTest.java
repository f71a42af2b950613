package io.github.stytchmigration;

import io.github.stytchmigration.internal.CallbackRequest;
import io.github.stytchmigration.testing.TesterFilterChain;
import io.github.stytchmigration.testing.TesterHttpServletRequest;
import io.github.stytchmigration.testing.TesterHttpServletResponse;
import io.github.stytchmigration.testing.TesterHttpSession;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The glue without a container: which requests it takes, and what it reads from them. */
class MigrationFilterTest {
    @Test
    void passesEveryRequestOnUntilItIsInitialised() throws Exception {
        TesterHttpServletRequest request = TesterHttpServletRequest.get("/authenticate")
                .param("stytch_token_type", "magic_links").param("token", "abc");
        TesterHttpServletResponse response = new TesterHttpServletResponse();
        TesterFilterChain chain = new TesterFilterChain();

        new MigrationFilter().doFilter(request, response, chain);

        assertThat(chain.request()).isSameAs(request);
        assertThat(response.getHeaderNames()).isEmpty();
    }

    @Test
    void takesTheDecodedContextRelativePath() {
        assertThat(MigrationFilter.pathOf(new TesterHttpServletRequest("GET", "/authenticate", null))).isEqualTo("/authenticate");
        assertThat(MigrationFilter.pathOf(new TesterHttpServletRequest("GET", "", "/authenticate"))).isEqualTo("/authenticate");
        assertThat(MigrationFilter.pathOf(new TesterHttpServletRequest("GET", "/login", "/callback"))).isEqualTo("/login/callback");
    }

    @Test
    void parsesEveryValueSoRepeatsStayVisible() {
        TesterHttpSession session = new TesterHttpSession("S");
        session.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("oauth"), "verifier-123");
        session.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("magic_links"), "stale-other-flow");
        session.session().setAttribute("legacy.uid", 7L);
        session.session().setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN, "earlier-session");
        TesterHttpServletRequest request = new TesterHttpServletRequest("POST", "/authenticate", null)
                .param("stytch_token_type", "oauth").param("token", "a", "b").session(session);

        CallbackRequest parsed = MigrationFilter.parse(request, "legacy.uid");

        assertThat(parsed.method()).isEqualTo("POST");
        assertThat(parsed.tokenTypes()).containsExactly("oauth");
        assertThat(parsed.tokens()).containsExactly("a", "b");
        assertThat(parsed.codeVerifier()).as("only the verifier of this flow").isEqualTo("verifier-123");
        assertThat(parsed.currentUserId()).isEqualTo("7");
        assertThat(parsed.currentStytchSessionToken()).isEqualTo("earlier-session");
    }

    @Test
    void sendsNoVerifierWhenTheTypeIsRepeatedOrUnknown() {
        TesterHttpSession session = new TesterHttpSession("S");
        session.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("oauth"), "verifier-123");
        assertThat(MigrationFilter.parse(TesterHttpServletRequest.get("/authenticate").session(session)
                .param("stytch_token_type", "oauth", "oauth"), "u").codeVerifier()).isNull();
        assertThat(MigrationFilter.parse(TesterHttpServletRequest.get("/authenticate").session(session)
                .param("stytch_token_type", "magic_links"), "u").codeVerifier()).isNull();
    }

    @Test
    void parsesWithoutCreatingASessionAndIgnoresANonStringVerifier() {
        TesterHttpServletRequest request = TesterHttpServletRequest.get("/authenticate");
        assertThat(MigrationFilter.parse(request, "u").codeVerifier()).isNull();
        assertThat(request.testerSession()).isNull();

        TesterHttpSession session = new TesterHttpSession("S");
        session.session().setAttribute(MigrationFilter.pkceCodeVerifierAttribute("oauth"), 42);
        assertThat(MigrationFilter.parse(TesterHttpServletRequest.get("/authenticate").param("stytch_token_type", "oauth")
                .session(session), "u").codeVerifier()).isNull();
    }
}
