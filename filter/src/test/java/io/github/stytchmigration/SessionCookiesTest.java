package io.github.stytchmigration;

import io.github.stytchmigration.testing.TesterHttpServletRequest;
import io.github.stytchmigration.testing.TesterHttpServletResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionCookiesTest {
    @Test
    void addsHttpOnlyAndSameSiteLaxToTheSessionCookie() {
        assertThat(SessionCookies.harden("JSESSIONID=abc; Path=/app", false))
                .isEqualTo("JSESSIONID=abc; Path=/app; HttpOnly; SameSite=Lax");
    }

    @Test
    void addsSecureOnlyOnSecureRequests() {
        assertThat(SessionCookies.harden("JSESSIONID=abc; Path=/", true))
                .isEqualTo("JSESSIONID=abc; Path=/; HttpOnly; Secure; SameSite=Lax");
    }

    @Test
    void keepsWhatTheContainerAlreadySetInAnyCase() {
        String set = "JSESSIONID=abc; Path=/; secure; HTTPONLY; SameSite=Strict";
        assertThat(SessionCookies.harden(set, true)).isEqualTo(set);
    }

    @Test
    void anAttributeNameInsideAValueDoesNotCountAsTheAttribute() {
        assertThat(SessionCookies.harden("JSESSIONID=httponly; Path=/secure", true))
                .isEqualTo("JSESSIONID=httponly; Path=/secure; HttpOnly; Secure; SameSite=Lax");
    }

    @Test
    void rewritesOnlyTheSessionCookieAndKeepsTheOthersInOrder() {
        TesterHttpServletRequest request = TesterHttpServletRequest.get("/authenticate").secure(true);
        TesterHttpServletResponse response = new TesterHttpServletResponse();
        response.addHeader("Set-Cookie", "theme=dark; Path=/");
        response.addHeader("Set-Cookie", "JSESSIONID=abc; Path=/app");
        response.addHeader("Set-Cookie", "lang=en");

        SessionCookies.harden(request, response);

        assertThat(response.getHeaders("Set-Cookie")).containsExactly("theme=dark; Path=/",
                "JSESSIONID=abc; Path=/app; HttpOnly; Secure; SameSite=Lax", "lang=en");
    }

    @Test
    void leavesTheHeadersUntouchedWhenThereIsNothingToHarden() {
        TesterHttpServletRequest request = TesterHttpServletRequest.get("/authenticate");
        TesterHttpServletResponse response = new TesterHttpServletResponse();
        response.addHeader("Set-Cookie", "theme=dark");

        SessionCookies.harden(request, response);

        assertThat(response.getHeaders("Set-Cookie")).containsExactly("theme=dark");
    }
}
