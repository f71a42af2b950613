package io.github.stytchmigration.internal;

import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.internal.LinkDecision.Kind;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException.Reason;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract's link-or-create rules, rule by rule, without a database: the rows are what a store
 * would have read. {@code JdbcUserStoreIT} proves the store reads those rows and executes the
 * decisions with guarded writes against real PostgreSQL.
 */
class LinkRulesTest {
    private static final String ME = "user-test-me";
    private static final String OTHER = "user-test-other";

    private static StytchIdentity identity(List<Identifier> emails, List<Identifier> phones) {
        return new StytchIdentity(ME, emails, phones, null, null);
    }

    private static StytchIdentity verifiedEmail(String email) {
        return identity(List.of(Identifier.verified(email)), List.of());
    }

    private static UserRow row(long id, String email, String stytchUserId) {
        return new UserRow(id, stytchUserId, email, null);
    }

    private static UserRow phoneRow(long id, String phone, String stytchUserId) {
        return new UserRow(id, stytchUserId, null, phone);
    }

    private static LinkDecision decide(StytchIdentity identity, UserRow... rows) {
        return LinkRules.decide(List.of(rows), identity, ConflictPolicy.REJECT);
    }

    private static UserRow inactive(long id, String email, String stytchUserId) {
        return new UserRow(id, stytchUserId, email, null, false);
    }

    @Nested
    class Rule0ActiveUserCondition {
        @Test
        void refusesAnAlreadyLinkedRowThatIsNotActive() {
            LinkDecision d = decide(verifiedEmail("alice@example.com"), inactive(7, "alice@example.com", ME));
            assertThat(d.kind()).isEqualTo(Kind.DISABLED);
            assertThat(d.row().idString()).isEqualTo("7");
            assertThat(d.disabledAccount().errorCode().code()).isEqualTo("account_disabled");
            assertThat(d.disabledAccount().getMessage()).isEqualTo("Row 7 (ALREADY_LINKED for Stytch user " + ME
                    + ") does not satisfy activeUserCondition").doesNotContain("alice");
        }

        @Test
        void refusesToLinkAMatchingRowThatIsNotActive() {
            LinkDecision d = decide(verifiedEmail("bob@example.com"), inactive(4, "bob@example.com", null));
            assertThat(d.kind()).isEqualTo(Kind.DISABLED);
            assertThat(d.disabledAccount().getMessage()).contains("LINK for Stytch user");
        }

        @Test
        void refusesToRelinkARowThatIsNotActive() {
            LinkDecision d = LinkRules.decide(List.of(inactive(5, "carol@example.com", OTHER)), verifiedEmail("carol@example.com"),
                    ConflictPolicy.RELINK);
            assertThat(d.kind()).isEqualTo(Kind.DISABLED);
        }

        @Test
        void anInactiveRowLinkedToAnotherUserIsStillAConflictUnderTheRejectPolicy() {
            LinkDecision d = decide(verifiedEmail("carol@example.com"), inactive(5, "carol@example.com", OTHER));
            assertThat(d.kind()).isEqualTo(Kind.REJECT);
            assertThat(d.reason()).isEqualTo(Reason.LINKED_TO_OTHER_USER);
        }

        @Test
        void ambiguityAndUnverifiedMatchesStayConflicts() {
            assertThat(decide(verifiedEmail("eve@example.com"), inactive(1, "Eve@example.com", null),
                    inactive(2, "eve@EXAMPLE.com", null)).reason()).isEqualTo(Reason.AMBIGUOUS);
            assertThat(decide(identity(List.of(Identifier.unverified("hal@example.com")), List.of()),
                    inactive(1, "hal@example.com", null)).reason()).isEqualTo(Reason.UNVERIFIED_MATCH);
        }

        @Test
        void anInactiveRowThatMatchesNothingDoesNotStopACreate() {
            // rows the query returned for another reason; a created row is never checked (it does not exist yet)
            assertThat(decide(verifiedEmail("ivy@example.com"), inactive(1, " ivy@example.com ", null)).kind()).isEqualTo(Kind.CREATE);
        }

        @Test
        void anActiveRowIsDecidedByTheOtherRules() {
            assertThat(decide(verifiedEmail("bob@example.com"), new UserRow(4, null, "bob@example.com", null, true)).kind())
                    .isEqualTo(Kind.LINK);
        }

        @Test
        void onlyADisabledDecisionHasADisabledAccount() {
            assertThatThrownBy(() -> decide(verifiedEmail("ivy@example.com")).disabledAccount())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class Rule1AlreadyLinked {
        @Test
        void aRowCarryingTheStytchUserIdIsAlreadyLinked() {
            LinkDecision d = decide(verifiedEmail("alice@example.com"), row(7, "alice@example.com", ME));
            assertThat(d.kind()).isEqualTo(Kind.ALREADY_LINKED);
            assertThat(d.row().idString()).isEqualTo("7");
        }

        @Test
        void winsOverAVerifiedMatchOnAnotherRow() {
            LinkDecision d = decide(verifiedEmail("alice@example.com"),
                    row(1, "alice@example.com", null), row(2, "old-address@example.com", ME));
            assertThat(d.kind()).isEqualTo(Kind.ALREADY_LINKED);
            assertThat(d.row().idString()).isEqualTo("2");
        }

        @Test
        void winsEvenWhenOtherRowsWouldBeAmbiguous() {
            LinkDecision d = decide(verifiedEmail("alice@example.com"), row(1, "alice@example.com", null),
                    row(2, "ALICE@example.com", null), row(3, null, ME));
            assertThat(d.kind()).isEqualTo(Kind.ALREADY_LINKED);
        }
    }

    @Nested
    class Rule2VerifiedMatch {
        @Test
        void linksTheOneUnlinkedRowMatchingAVerifiedEmail() {
            LinkDecision d = decide(verifiedEmail("bob@example.com"), row(4, "bob@example.com", null));
            assertThat(d.kind()).isEqualTo(Kind.LINK);
            assertThat(d.row().idString()).isEqualTo("4");
        }

        @Test
        void matchesEmailsCaseInsensitively() {
            assertThat(decide(verifiedEmail("Bob@Example.COM"), row(4, "bOB@example.com", null)).kind()).isEqualTo(Kind.LINK);
        }

        @Test
        void matchesAVerifiedPhone() {
            LinkDecision d = decide(identity(List.of(), List.of(Identifier.verified("+15555550101"))),
                    phoneRow(9, "+15555550101", null));
            assertThat(d.kind()).isEqualTo(Kind.LINK);
            assertThat(d.row().idString()).isEqualTo("9");
        }

        @Test
        void rejectsARowLinkedToAnotherStytchUser() {
            LinkDecision d = decide(verifiedEmail("carol@example.com"), row(5, "carol@example.com", OTHER));
            assertThat(d.kind()).isEqualTo(Kind.REJECT);
            assertThat(d.reason()).isEqualTo(Reason.LINKED_TO_OTHER_USER);
            assertThat(d.rejection().getMessage()).isEqualTo("Row 5 matches Stytch user " + ME
                    + " but is linked to Stytch user " + OTHER).doesNotContain("carol");
        }

        @Test
        void relinksARowLinkedToAnotherStytchUserUnderTheRelinkPolicy() {
            LinkDecision d = LinkRules.decide(List.of(row(5, "carol@example.com", OTHER)), verifiedEmail("carol@example.com"),
                    ConflictPolicy.RELINK);
            assertThat(d.kind()).isEqualTo(Kind.RELINK);
            assertThat(d.row().stytchUserId()).as("the link the guarded update must still find").isEqualTo(OTHER);
        }

        @Test
        void rejectsAsAmbiguousWhenEmailMatchesOneRowAndPhoneAnother() {
            LinkDecision d = decide(identity(List.of(Identifier.verified("dan@example.com")),
                    List.of(Identifier.verified("+15555550102"))), row(1, "dan@example.com", null), phoneRow(2, "+15555550102", null));
            assertThat(d.kind()).isEqualTo(Kind.REJECT);
            assertThat(d.reason()).isEqualTo(Reason.AMBIGUOUS);
            assertThat(d.rejection().getMessage()).contains("ids [1, 2]");
        }

        @Test
        void rejectsAsAmbiguousWhenTwoRowsShareTheLowerCasedEmail() {
            LinkDecision d = decide(verifiedEmail("eve@example.com"), row(1, "Eve@example.com", null), row(2, "eve@EXAMPLE.com", null));
            assertThat(d.reason()).isEqualTo(Reason.AMBIGUOUS);
        }

        @Test
        void rejectsAsAmbiguousEvenUnderTheRelinkPolicy() {
            LinkDecision d = LinkRules.decide(List.of(row(1, "eve@example.com", OTHER), row(2, "EVE@example.com", null)),
                    verifiedEmail("eve@example.com"), ConflictPolicy.RELINK);
            assertThat(d.reason()).isEqualTo(Reason.AMBIGUOUS);
        }

        @Test
        void aVerifiedMatchIsLinkedEvenWhenAnUnverifiedEmailMatchesAnotherRow() {
            LinkDecision d = decide(identity(List.of(Identifier.verified("fay@example.com"), Identifier.unverified("fay@old.example")),
                    List.of()), row(1, "fay@example.com", null), row(2, "fay@old.example", null));
            assertThat(d.kind()).isEqualTo(Kind.LINK);
            assertThat(d.row().idString()).isEqualTo("1");
        }

        @Test
        void anIdentifierVerifiedOnceCountsAsVerified() {
            LinkDecision d = decide(identity(List.of(Identifier.unverified("gus@example.com"), Identifier.verified("GUS@example.com")),
                    List.of()), row(3, "gus@example.com", null));
            assertThat(d.kind()).isEqualTo(Kind.LINK);
        }
    }

    @Nested
    class Rule3UnverifiedMatch {
        @Test
        void rejectsAMatchOnAnUnverifiedEmail() {
            LinkDecision d = decide(identity(List.of(Identifier.unverified("hal@example.com")), List.of()),
                    row(1, "hal@example.com", null));
            assertThat(d.kind()).isEqualTo(Kind.REJECT);
            assertThat(d.reason()).isEqualTo(Reason.UNVERIFIED_MATCH);
            assertThat(d.rejection().getMessage()).doesNotContain("hal@");
        }

        @Test
        void rejectsAMatchOnAnUnverifiedPhone() {
            LinkDecision d = decide(identity(List.of(), List.of(Identifier.unverified("+15555550103"))),
                    phoneRow(1, "+15555550103", null));
            assertThat(d.reason()).isEqualTo(Reason.UNVERIFIED_MATCH);
        }
    }

    @Nested
    class Rule4Create {
        @Test
        void createsWhenNothingMatches() {
            LinkDecision d = decide(verifiedEmail("ivy@example.com"));
            assertThat(d.kind()).isEqualTo(Kind.CREATE);
            assertThat(d.row()).isNull();
        }

        @Test
        void createsWhenTheRowsReadMatchNoIdentifier() {
            // a row the query returned for another reason (e.g. the email column holds surrounding blanks)
            assertThat(decide(verifiedEmail("ivy@example.com"), row(1, " ivy@example.com ", null)).kind()).isEqualTo(Kind.CREATE);
        }

        @Test
        void onlyARejectionHasARejection() {
            assertThatThrownBy(() -> decide(verifiedEmail("ivy@example.com")).rejection())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void keysHoldEveryIdentifierNormalisedForTheQuery() {
        LinkRules.Keys keys = LinkRules.Keys.of(identity(
                List.of(Identifier.verified(" Jo@Example.com"), Identifier.unverified("jo@old.example")),
                List.of(Identifier.unverified("+15555550104 "))));
        assertThat(keys.emails()).containsExactly("jo@example.com", "jo@old.example");
        assertThat(keys.phones()).containsExactly("+15555550104");
    }

    @Nested
    class Rule1ByExternalId {
        private StytchIdentity imported(String externalId, String email) {
            return new StytchIdentity(ME, List.of(Identifier.verified(email)), List.of(), null, null, externalId);
        }

        private LinkDecision decide(StytchIdentity identity, ConflictPolicy policy, UserRow... rows) {
            return LinkRules.decide(List.of(rows), identity, policy, true);
        }

        @Test
        void linksTheRowWhoseIdIsTheExternalIdBeforeAndInsteadOfAnEmailMatch() {
            LinkDecision d = decide(imported("7", "bob@example.com"), ConflictPolicy.REJECT,
                    row(3, "bob@example.com", null), row(7, "robert@old.example", null));
            assertThat(d.kind()).isEqualTo(Kind.LINK);
            assertThat(d.row().idString()).isEqualTo("7");
        }

        @Test
        void linksItWhenTheEmailMatchesNoRow() {
            LinkDecision d = decide(imported("7", "new@example.com"), ConflictPolicy.REJECT, row(7, "old@example.com", null));
            assertThat(d.kind()).isEqualTo(Kind.LINK);
            assertThat(d.row().idString()).isEqualTo("7");
        }

        @Test
        void aRowLinkedToAnotherStytchUserFollowsTheConflictPolicy() {
            LinkDecision rejected = decide(imported("7", "bob@example.com"), ConflictPolicy.REJECT,
                    row(7, "bob@example.com", OTHER), row(8, "bob@example.com", null));
            assertThat(rejected.kind()).isEqualTo(Kind.REJECT);
            assertThat(rejected.reason()).isEqualTo(Reason.LINKED_TO_OTHER_USER);
            assertThat(rejected.rejection().getMessage()).isEqualTo("Row 7 has the id that is the external_id of Stytch user "
                    + ME + " but is linked to Stytch user " + OTHER);
            LinkDecision relinked = decide(imported("7", "bob@example.com"), ConflictPolicy.RELINK, row(7, "x@example.com", OTHER));
            assertThat(relinked.kind()).isEqualTo(Kind.RELINK);
            assertThat(relinked.row().stytchUserId()).isEqualTo(OTHER);
        }

        @Test
        void alreadyLinkedStillComesFirst() {
            LinkDecision d = decide(imported("7", "bob@example.com"), ConflictPolicy.REJECT,
                    row(7, "x@example.com", null), row(9, "bob@example.com", ME));
            assertThat(d.kind()).isEqualTo(Kind.ALREADY_LINKED);
            assertThat(d.row().idString()).isEqualTo("9");
        }

        @Test
        void anInactiveRowIsDisabled() {
            LinkDecision d = decide(imported("7", "bob@example.com"), ConflictPolicy.REJECT, inactive(7, "x@example.com", null));
            assertThat(d.kind()).isEqualTo(Kind.DISABLED);
        }

        @Test
        void isOffUnlessAskedAndWithoutAnExternalIdFallsBackToEmails() {
            assertThat(LinkRules.decide(List.of(row(3, "bob@example.com", null), row(7, "x@example.com", null)),
                    imported("7", "bob@example.com"), ConflictPolicy.REJECT).row().idString()).isEqualTo("3");
            assertThat(decide(imported(null, "bob@example.com"), ConflictPolicy.REJECT, row(3, "bob@example.com", null))
                    .row().idString()).isEqualTo("3");
            assertThat(decide(imported("12", "bob@example.com"), ConflictPolicy.REJECT, row(3, "bob@example.com", null))
                    .row().idString()).as("no row with that id").isEqualTo("3");
        }
    }
}
