package io.github.stytchmigration.emulator.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.stytchmigration.emulator.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;

/** {@code /v1/otps/*}: email and SMS login_or_create, and authenticate. */
final class OtpsApi {

    static final int DEFAULT_EMAIL_MINUTES = 10;
    static final int DEFAULT_SMS_MINUTES = 2;

    private final State state;
    private final SessionIssuer issuer;

    OtpsApi(State state, SessionIssuer issuer) {
        this.state = state;
        this.issuer = issuer;
    }

    Reply emailLoginOrCreate(Call call) {
        String email = MagicLinksApi.email(Json.requiredText(call.body(), "email"));
        int minutes = minutes(call, DEFAULT_EMAIL_MINUTES);
        boolean sandbox = Sandbox.isSandboxEmail(email);
        Model.User user = sandbox ? Sandbox.user(state) : state.userByEmail(email).orElse(null);
        boolean created = user == null;
        if (created) {
            user = newUser(call);
            state.addEmail(user, email, false);
        }
        Model.Email address = user.email(email);
        issue(call, user.userId, address.emailId, email, true, sandbox, minutes);
        return Reply.json(Views.ok(call.requestId()).put("user_id", user.userId)
                .put("email_id", address.emailId).put("user_created", created));
    }

    Reply smsLoginOrCreate(Call call) {
        String phone = Json.requiredText(call.body(), "phone_number").trim();
        if (!Sandbox.E164.matcher(phone).matches()) {
            throw new ApiException(400, "invalid_phone_number", "Phone number format is invalid; use E.164.");
        }
        int minutes = minutes(call, DEFAULT_SMS_MINUTES);
        boolean sandbox = Sandbox.PHONE.equals(phone);
        Model.User user = sandbox ? Sandbox.user(state) : state.userByPhone(phone).orElse(null);
        boolean created = user == null;
        if (created) {
            user = newUser(call);
            state.addPhone(user, phone, false);
        }
        Model.Phone number = user.phone(phone);
        issue(call, user.userId, number.phoneId, phone, false, sandbox, minutes);
        return Reply.json(Views.ok(call.requestId()).put("user_id", user.userId)
                .put("phone_id", number.phoneId).put("user_created", created));
    }

    Reply authenticate(Call call) {
        issuer.validate(call);
        String methodId = Json.requiredText(call.body(), "method_id");
        String code = Json.requiredText(call.body(), "code");
        Model.Otp otp = state.otps.get(methodId);
        if (otp == null || !MessageDigest.isEqual(otp.code.getBytes(StandardCharsets.US_ASCII),
                code.getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException(404, "otp_code_not_found", "The passcode is wrong or was never sent.");
        }
        boolean sandbox = Sandbox.OTP_CODE.equals(otp.code) && otp.expiresAt.equals(java.time.Instant.MAX);
        if (otp.used || !otp.expiresAt.isAfter(call.now())) {
            throw new ApiException(401, "unable_to_auth_otp_code", "The passcode was already used or has expired.");
        }
        Model.User user = state.users.get(otp.userId);
        if (user == null) {
            throw new ApiException(404, "otp_code_not_found", "The passcode is wrong or was never sent.");
        }
        Model.Factor factor;
        Model.Email email = otp.email ? user.emailById(methodId) : null;
        Model.Phone phone = null;
        if (email != null) {
            factor = new Model.Factor("email_otp", "email", call.now(), "email_factor",
                    Views.detail("email_id", email.emailId, "email_address", email.email));
        } else {
            phone = user.phones.stream().filter(p -> p.phoneId.equals(methodId)).findFirst()
                    .orElseThrow(() -> new ApiException(404, "otp_code_not_found", "The passcode was never sent."));
            factor = new Model.Factor("otp", "sms", call.now(), "phone_number_factor",
                    Views.detail("phone_id", phone.phoneId, "phone_number", phone.phoneNumber));
        }
        SessionIssuer.Issued issued = issuer.issue(call, user, factor);
        if (!sandbox) {
            otp.used = true;
        }
        if (email != null) {
            email.verified = true;
        } else {
            phone.verified = true;
        }
        user.status = "active";
        ObjectNode answer = Views.ok(call.requestId()).put("user_id", user.userId).put("method_id", methodId)
                .put("reset_sessions", false);
        answer.set("user", Views.user(user));
        SessionIssuer.write(answer, issued, "session");
        answer.putNull("user_device");
        return Reply.json(answer);
    }

    private Model.User newUser(Call call) {
        return state.newUser(Json.bool(call.body(), "create_user_as_pending") ? "pending" : "active");
    }

    private void issue(Call call, String userId, String methodId, String to, boolean email, boolean sandbox,
                       int minutes) {
        if (sandbox) {
            // Sandbox passcodes are fixed, never expire and send nothing.
            state.otps.put(methodId, new Model.Otp(methodId, userId, Sandbox.OTP_CODE, java.time.Instant.MAX, email));
            return;
        }
        String code = Ids.digits(6);
        state.otps.put(methodId, new Model.Otp(methodId, userId, code,
                call.now().plus(Duration.ofMinutes(minutes)), email));
        state.send(new OutboxMessage(to, OutboxMessage.KIND_OTP, null, code, null, call.now()));
    }

    private static int minutes(Call call, int defaultMinutes) {
        Integer minutes = Json.integer(call.body(), "expiration_minutes");
        if (minutes == null) {
            return defaultMinutes;
        }
        if (minutes < 1 || minutes > 10) {
            throw new ApiException(400, "invalid_expiration_minutes", "expiration_minutes must be between 1 and 10.");
        }
        return minutes;
    }
}
