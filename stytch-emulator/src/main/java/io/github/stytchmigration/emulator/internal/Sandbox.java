package io.github.stytchmigration.emulator.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/** Stytch's documented sandbox values (reference §11) and the one user they all belong to. */
final class Sandbox {

    static final String EMAIL = "sandbox@stytch.com";
    static final String PHONE = "+10000000000";
    static final String OTP_CODE = "000000";
    static final String MAGIC_LINK_OK = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=";
    static final String MAGIC_LINK_UNAUTHORIZED = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=";
    static final String MAGIC_LINK_NOT_FOUND = "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=";
    static final String OAUTH_OK = "hdPVZHHX0UoRa7hJTuuPHi1vlddffSnoweRbVFf5-H8g";
    static final String OAUTH_NOT_FOUND = "59cnLELtq5cFVS6uYK9f-pAWzBkhqZl8AvLhbhOvKNWw";
    static final String SESSION_OK = "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY";
    static final String SESSION_NOT_FOUND = "59cnLELtq5cFVS6uYK9f-pAWzBkhqZl8AvLhbhOvKNWw";

    static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    static final Pattern EMAIL_SHAPE = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private Sandbox() {
    }

    /** The sandbox user: {@code sandbox@stytch.com} and {@code +10000000000}, both verified. Call inside tx. */
    static Model.User user(State state) {
        return state.userByEmail(EMAIL).orElseGet(() -> {
            Model.User user = state.newUser("active");
            state.addEmail(user, EMAIL, true);
            state.addPhone(user, PHONE, true);
            return user;
        });
    }

    /** The sandbox session behind {@link #SESSION_OK}, alive for a year. Call inside tx. */
    static Model.Session session(State state, Instant now) {
        for (Model.Session s : state.sessions.values()) {
            if (s.token.equals(SESSION_OK) && s.revokedAt == null) {
                return s;
            }
        }
        Model.User user = user(state);
        Model.Email email = user.email(EMAIL);
        Model.Session session = new Model.Session(state.ids().id("session"), user.userId, SESSION_OK, now,
                now.plus(Duration.ofDays(366)));
        session.factors.add(new Model.Factor("magic_link", "email", now, "email_factor",
                Views.detail("email_id", email.emailId, "email_address", email.email)));
        state.sessions.put(session.sessionId, session);
        return session;
    }

    static boolean isSandboxEmail(String email) {
        return EMAIL.equalsIgnoreCase(email);
    }
}
