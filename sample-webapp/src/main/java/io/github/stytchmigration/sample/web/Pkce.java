package io.github.stytchmigration.sample.web;

import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Base64;
import java.util.List;

/**
 * PKCE for the magic-link and OAuth flows: the verifier stays in the HttpSession, where
 * MigrationFilter picks it up for the authenticate call; only the S256 challenge leaves the server.
 *
 * <p>One verifier per browser session and flow, kept until a login completes: every link this browser
 * asks for carries the same challenge, so asking for a second link never breaks the first. The filter
 * drops its copy once a callback spends or refuses a token; the sample keeps its own under
 * {@link #KEPT_PREFIX} and puts it back ({@link #restore}) while no login has completed. That copy is
 * also how the login page tells "this browser asked for a link" from "it did not".
 */
final class Pkce {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The sample's own copy of each flow's verifier, outliving the filter's. */
    private static final String KEPT_PREFIX = "sample.pkceVerifier.";
    private static final List<String> FLOWS = List.of("magic_links", "oauth");

    private Pkce() {
    }

    /**
     * Returns the challenge of this session's verifier for one flow, making one the first time, and
     * keeps it where MigrationFilter looks for that flow's verifier.
     *
     * @param tokenType {@code magic_links} or {@code oauth}: the verifier goes only to callbacks of that type
     */
    static String start(HttpServletRequest request, String tokenType) {
        HttpSession session = request.getSession(true);
        String verifier = session.getAttribute(KEPT_PREFIX + tokenType) instanceof String kept ? kept : null;
        if (verifier == null) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            verifier = HexFormat.of().formatHex(bytes); // 64 chars from the unreserved set
            session.setAttribute(KEPT_PREFIX + tokenType, verifier);
        }
        session.setAttribute(MigrationFilter.pkceCodeVerifierAttribute(tokenType), verifier);
        return challenge(verifier);
    }

    /** Whether this browser session asked for a link (or Google) and has not completed a login since. */
    static boolean asked(HttpServletRequest request, String tokenType) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(KEPT_PREFIX + tokenType) != null;
    }

    /**
     * After a refused callback (the filter has dropped its verifier): puts this session's verifiers back,
     * so the links still unused keep working. Once a login has completed, forgets them instead.
     */
    static void restore(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return;
        }
        if (SampleApp.currentUserId(request) != null) {
            end(session);
            return;
        }
        for (String flow : FLOWS) {
            if (session.getAttribute(KEPT_PREFIX + flow) instanceof String kept) {
                session.setAttribute(MigrationFilter.pkceCodeVerifierAttribute(flow), kept);
            }
        }
    }

    /** A login completed: links asked for before it no longer log anyone in here. */
    static void end(HttpSession session) {
        for (String flow : FLOWS) {
            session.removeAttribute(KEPT_PREFIX + flow);
            session.removeAttribute(MigrationFilter.pkceCodeVerifierAttribute(flow));
        }
    }

    /** base64url(SHA-256(verifier)) without padding. */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
