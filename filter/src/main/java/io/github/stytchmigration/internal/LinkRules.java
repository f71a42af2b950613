package io.github.stytchmigration.internal;

import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException.Reason;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The contract's link-or-create rules as a pure decision over the rows a store read: no JDBC, no
 * servlets, no clock. The store reads the rows that {@link Keys} select, asks {@link #decide}, and
 * executes the answer with guarded writes; a write that finds the row changed reads and decides again.
 *
 * <ol start="0">
 *   <li>With {@code activeUserCondition}: a row that rule 1 would return or rule 2 would link or relink,
 *       but that does not satisfy the condition → {@code DISABLED} ({@code account_disabled}), nothing
 *       written. Rejections stay rejections; a row still to be created is not checked (it does not exist).</li>
 *   <li>A row whose Stytch id column equals the Stytch user id → {@code ALREADY_LINKED}. With {@code linkByExternalId},
 *       else a row whose internal id equals the Stytch user's {@code external_id}: not linked → {@code LINK}; linked to
 *       another Stytch user → the conflict policy, as in rule 2. A match by external_id is decided before, and
 *       instead of, matching by email or phone.</li>
 *   <li>Else rows matching a <b>verified</b> email (case-insensitive) or verified phone of the Stytch user:
 *       one row, not linked → {@code LINK}; one row linked to another Stytch user → the conflict policy
 *       ({@code REJECT}, or {@code RELINK}); several distinct rows → {@code REJECT} (ambiguous).</li>
 *   <li>No verified match, but an <b>unverified</b> email or phone matches a row → {@code REJECT}: linking
 *       would hand that account to whoever controls the Stytch user.</li>
 *   <li>Otherwise → {@code CREATE}.</li>
 * </ol>
 */
public final class LinkRules {
    private LinkRules() {
    }

    /**
     * Decides for the rows a store read with the {@link Keys} of {@code identity}.
     *
     * @param rows     every row whose Stytch id, email or phone matches one of the keys (any order)
     * @param identity who Stytch says authenticated
     * @param policy   what to do with a matching row linked to another Stytch user
     */
    public static LinkDecision decide(List<UserRow> rows, StytchIdentity identity, ConflictPolicy policy) {
        return decide(rows, identity, policy, false);
    }

    /**
     * @param byExternalId {@code linkByExternalId}: rule 1 also links the row whose id is the identity's external_id
     *                     (the store read it among the rows)
     */
    public static LinkDecision decide(List<UserRow> rows, StytchIdentity identity, ConflictPolicy policy, boolean byExternalId) {
        LinkDecision decision = decideByIdentifiers(rows, identity, policy, byExternalId);
        UserRow row = decision.row();
        if (row != null && !row.active()) {
            return LinkDecision.disabled(row, "Row " + row.idString() + " (" + decision.kind()
                    + " for Stytch user " + identity.stytchUserId() + ") does not satisfy activeUserCondition");
        }
        return decision;
    }

    // Rules 1 to 4.
    private static LinkDecision decideByIdentifiers(List<UserRow> rows, StytchIdentity identity, ConflictPolicy policy,
                                                    boolean byExternalId) {
        String stytchUserId = identity.stytchUserId();
        for (UserRow row : rows) {
            if (stytchUserId.equals(row.stytchUserId())) {
                return LinkDecision.alreadyLinked(row);
            }
        }
        String externalId = identity.externalId();
        if (byExternalId && externalId != null) {
            for (UserRow row : rows) {
                if (externalId.equals(row.idString())) {
                    return linkOrConflict(row, stytchUserId, policy, "has the id that is the external_id of");
                }
            }
        }
        Keys keys = Keys.of(identity);
        List<UserRow> verified = filter(rows, keys::matchesVerified);
        if (verified.size() > 1) {
            return LinkDecision.reject(Reason.AMBIGUOUS, verified.size() + " rows match verified identifiers of Stytch user "
                    + stytchUserId + ": ids " + ids(verified));
        }
        if (verified.size() == 1) {
            return linkOrConflict(verified.get(0), stytchUserId, policy, "matches");
        }
        List<UserRow> unverified = filter(rows, keys::matchesUnverified);
        if (!unverified.isEmpty()) {
            return LinkDecision.reject(Reason.UNVERIFIED_MATCH, "Only unverified identifiers of Stytch user "
                    + stytchUserId + " match rows " + ids(unverified));
        }
        return LinkDecision.create();
    }

    // One row chosen: link it, or apply the conflict policy when another Stytch user holds it.
    private static LinkDecision linkOrConflict(UserRow row, String stytchUserId, ConflictPolicy policy, String how) {
        if (row.stytchUserId() == null) {
            return LinkDecision.link(row);
        }
        if (policy == ConflictPolicy.RELINK) {
            return LinkDecision.relink(row);
        }
        return LinkDecision.reject(Reason.LINKED_TO_OTHER_USER, "Row " + row.idString() + " " + how + " Stytch user "
                + stytchUserId + " but is linked to Stytch user " + row.stytchUserId());
    }

    private static List<UserRow> filter(List<UserRow> rows, Predicate<UserRow> test) {
        List<UserRow> out = new ArrayList<>(rows.size());
        for (UserRow row : rows) {
            if (test.test(row)) {
                out.add(row);
            }
        }
        return out;
    }

    private static String ids(List<UserRow> rows) {
        List<String> ids = new ArrayList<>(rows.size());
        for (UserRow row : rows) {
            ids.add(row.idString());
        }
        return ids.toString();
    }

    /**
     * The Stytch user's identifiers normalised for matching: emails trimmed and lower-cased with
     * {@link Locale#ROOT}, phones trimmed, each split by verified flag (an identifier verified once
     * counts as verified). A store selects rows by {@link #emails()} and {@link #phones()}.
     */
    public static final class Keys {
        private final Set<String> verifiedEmails = new LinkedHashSet<>();
        private final Set<String> unverifiedEmails = new LinkedHashSet<>();
        private final Set<String> verifiedPhones = new LinkedHashSet<>();
        private final Set<String> unverifiedPhones = new LinkedHashSet<>();

        private Keys(StytchIdentity identity) {
            for (StytchIdentity.Identifier e : identity.emails()) {
                (e.verified() ? verifiedEmails : unverifiedEmails).add(e.value().trim().toLowerCase(Locale.ROOT));
            }
            unverifiedEmails.removeAll(verifiedEmails);
            for (StytchIdentity.Identifier p : identity.phoneNumbers()) {
                (p.verified() ? verifiedPhones : unverifiedPhones).add(p.value().trim());
            }
            unverifiedPhones.removeAll(verifiedPhones);
        }

        public static Keys of(StytchIdentity identity) {
            return new Keys(identity);
        }

        /** Every email, verified or not, lower-cased: what to select rows by. */
        public Set<String> emails() {
            return union(verifiedEmails, unverifiedEmails);
        }

        /** Every phone, verified or not. */
        public Set<String> phones() {
            return union(verifiedPhones, unverifiedPhones);
        }

        private static Set<String> union(Set<String> a, Set<String> b) {
            Set<String> all = new LinkedHashSet<>(a);
            all.addAll(b);
            return Collections.unmodifiableSet(all);
        }

        boolean matchesVerified(UserRow r) {
            return (r.emailLower() != null && verifiedEmails.contains(r.emailLower()))
                    || (r.phone() != null && verifiedPhones.contains(r.phone()));
        }

        boolean matchesUnverified(UserRow r) {
            return (r.emailLower() != null && unverifiedEmails.contains(r.emailLower()))
                    || (r.phone() != null && unverifiedPhones.contains(r.phone()));
        }
    }
}
