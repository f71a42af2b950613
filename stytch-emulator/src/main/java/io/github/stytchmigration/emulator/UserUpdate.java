package io.github.stytchmigration.emulator;

import java.time.Instant;
import java.util.List;

/**
 * One {@code PUT /v1/users/{id}} (users.update) call that reached the emulator, failed ones included.
 *
 * @param at          when it was handled
 * @param requestedId the user id or external id in the path, as sent
 * @param userId      the Stytch user id it resolved to, or null when no user matched
 * @param fields      the top-level body fields sent, in the order sent (e.g. {@code user_id},
 *                    {@code trusted_metadata}, {@code untrusted_metadata}, {@code external_id}, {@code roles})
 * @param externalId  the {@code external_id} sent, or null when not sent
 * @param rolesSent   whether the body had a {@code roles} field
 * @param roles       the {@code roles} sent, or null when not sent (or sent as JSON null)
 * @param status      the HTTP status of the answer (200, or the error's status)
 */
public record UserUpdate(Instant at, String requestedId, String userId, List<String> fields, String externalId,
                         boolean rolesSent, List<String> roles, int status) {

    /** Copies the lists. */
    public UserUpdate {
        fields = List.copyOf(fields);
        roles = roles == null ? null : List.copyOf(roles);
    }
}
