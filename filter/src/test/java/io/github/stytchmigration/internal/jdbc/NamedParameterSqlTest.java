package io.github.stytchmigration.internal.jdbc;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamedParameterSqlTest {
    static final Set<String> KNOWN = NamedParameterSql.CREATE_USER_SQL_PARAMETERS;

    @Test
    void turnsNamedParametersIntoPositionalOnesInOrderWithRepeats() {
        NamedParameterSql sql = NamedParameterSql.parse(
                "INSERT INTO t (a, b, c) VALUES (:email, COALESCE(:first_name, :email), :stytch_user_id) RETURNING id", KNOWN);

        assertThat(sql.sql()).isEqualTo("INSERT INTO t (a, b, c) VALUES (?, COALESCE(?, ?), ?) RETURNING id");
        assertThat(sql.parameterNames()).containsExactly("email", "first_name", "email", "stytch_user_id");
        assertThat(sql.hasReturning()).isTrue();
    }

    @Test
    void leavesCastsQuotesCommentsAndDollarQuotesAlone() {
        NamedParameterSql sql = NamedParameterSql.parse("INSERT INTO \"odd:table\" (a) -- :nope\n"
                + "VALUES (:email::text || ':x' || $$ :y $$ || $tag$:z$tag$ /* :w */)", KNOWN);

        assertThat(sql.sql()).isEqualTo("INSERT INTO \"odd:table\" (a) -- :nope\n"
                + "VALUES (?::text || ':x' || $$ :y $$ || $tag$:z$tag$ /* :w */)");
        assertThat(sql.parameterNames()).containsExactly("email");
        assertThat(sql.hasReturning()).isFalse();
    }

    @Test
    void doesNotMistakeAQuotedOrLongerWordForReturning() {
        assertThat(NamedParameterSql.parse("INSERT INTO t (a) VALUES ('returning') ", KNOWN).hasReturning()).isFalse();
        assertThat(NamedParameterSql.parse("INSERT INTO returning_log (a) VALUES (:email)", KNOWN).hasReturning()).isFalse();
        assertThat(NamedParameterSql.parse("insert into t (a) values (:email)\nReturning id;", KNOWN).hasReturning()).isTrue();
    }

    @Test
    void dropsATrailingSemicolon() {
        assertThat(NamedParameterSql.parse("INSERT INTO t (a) VALUES (:email) ; ", KNOWN).sql())
                .isEqualTo("INSERT INTO t (a) VALUES (?)");
    }

    @Test
    void rejectsUnknownParametersPositionalMarkersAndSeveralStatements() {
        assertThatThrownBy(() -> NamedParameterSql.parse("INSERT INTO t VALUES (:emial)", KNOWN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("createUserSql uses unknown parameter [:emial]; known: :email, :first_name, :last_name,"
                        + " :phone_number, :stytch_user_id");
        assertThatThrownBy(() -> NamedParameterSql.parse("INSERT INTO t VALUES (?)", KNOWN))
                .hasMessage("createUserSql must use named parameters such as :email, not '?'");
        assertThatThrownBy(() -> NamedParameterSql.parse("INSERT INTO t VALUES (:email); DELETE FROM t", KNOWN))
                .hasMessage("createUserSql must be a single statement");
        assertThatThrownBy(() -> NamedParameterSql.parse("INSERT INTO t VALUES (':email)", KNOWN))
                .hasMessage("createUserSql has an unterminated string literal");
        assertThatThrownBy(() -> NamedParameterSql.parse("  ", KNOWN)).hasMessage("createUserSql must not be blank");
    }
}
