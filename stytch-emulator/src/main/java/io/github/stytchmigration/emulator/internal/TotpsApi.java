package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/totps}: create a TOTP registration (MFA re-enrollment) and authenticate a code. */
final class TotpsApi {

    static final int DEFAULT_EXPIRATION_MINUTES = 1440;

    private final State state;
    private final SessionIssuer issuer;

    TotpsApi(State state, SessionIssuer issuer) {
        this.state = state;
        this.issuer = issuer;
    }

    Reply create(Call call) {
        Model.User user = state.user(Json.requiredText(call.body(), "user_id"));
        Integer minutes = Json.integer(call.body(), "expiration_minutes");
        if (minutes != null && (minutes < 5 || minutes > 1440)) {
            throw new ApiException(400, "invalid_expiration_minutes", "expiration_minutes must be between 5 and 1440.");
        }
        byte[] secret = Ids.randomBytes(20);
        String base32 = TotpCodes.encodeBase32(secret);
        List<String> recovery = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String code = Ids.token().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
            recovery.add(code.substring(0, 4) + "-" + code.substring(4, 8) + "-" + code.substring(8, 12));
        }
        Model.Totp totp = new Model.Totp(state.ids().id("totp"), secret, base32, recovery,
                call.now().plus(Duration.ofMinutes(minutes == null ? DEFAULT_EXPIRATION_MINUTES : minutes)));
        user.totps.add(totp);
        String label = user.emails.isEmpty() ? user.userId : user.emails.get(0).email;
        // The SDK types qr_code as a String; an otpauth URI stands in for Stytch's base64 PNG.
        String qr = "otpauth://totp/Stytch:" + Urls.encode(label) + "?secret=" + base32 + "&issuer=Stytch";
        ObjectNode answer = Views.ok(call.requestId())
                .put("totp_id", totp.totpId)
                .put("secret", base32)
                .put("qr_code", qr)
                .put("user_id", user.userId);
        ArrayNode codes = answer.putArray("recovery_codes");
        recovery.forEach(codes::add);
        answer.set("user", Views.user(user));
        return Reply.json(answer);
    }

    Reply authenticate(Call call) {
        issuer.validate(call);
        Model.User user = state.user(Json.requiredText(call.body(), "user_id"));
        String code = Json.requiredText(call.body(), "totp_code");
        List<Model.Totp> usable = user.totps.stream()
                .filter(t -> t.verified || t.expiresAt.isAfter(call.now()))
                .toList();
        if (usable.isEmpty()) {
            throw new ApiException(404, "totp_not_found", "The user has no TOTP registration.");
        }
        Model.Totp match = usable.stream().filter(t -> TotpCodes.matches(t.secret, code, call.now()))
                .findFirst()
                .orElseThrow(() -> new ApiException(401, "otp_code_not_found", "The TOTP code is wrong."));
        Model.Factor factor = new Model.Factor("totp", "authenticator_app", call.now(), "authenticator_app_factor",
                Views.detail("totp_id", match.totpId));
        SessionIssuer.Issued issued = issuer.issue(call, user, factor);
        match.verified = true;
        ObjectNode answer = Views.ok(call.requestId()).put("user_id", user.userId).put("totp_id", match.totpId);
        answer.set("user", Views.user(user));
        SessionIssuer.write(answer, issued, "session");
        answer.putNull("user_device");
        return Reply.json(answer);
    }
}
