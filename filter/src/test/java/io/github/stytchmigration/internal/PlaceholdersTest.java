package io.github.stytchmigration.internal;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlaceholdersTest {
    private final Placeholders placeholders = new Placeholders(
            Map.of("DB_HOST", "db.internal", "TRICKY", "${env:DB_HOST}}", "EMPTY", "")::get,
            Map.of("stytch.secret", "from-sys")::get);

    @Test
    void leavesPlainValuesAlone() {
        assertThat(placeholders.resolve("p", "plain $ value {}")).isEqualTo("plain $ value {}");
    }

    @Test
    void resolvesInsideOtherText() {
        assertThat(placeholders.resolve("jdbcUrl", "jdbc:postgresql://${env:DB_HOST}:5432/app"))
                .isEqualTo("jdbc:postgresql://db.internal:5432/app");
    }

    @Test
    void usesTheDefaultWhenUnsetOrEmpty() {
        assertThat(placeholders.resolve("p", "${env:NOPE:-fallback}")).isEqualTo("fallback");
        assertThat(placeholders.resolve("p", "${env:EMPTY:-fallback}")).isEqualTo("fallback");
        assertThat(placeholders.resolve("p", "${env:NOPE:-}")).isEmpty();
    }

    @Test
    void resolvesANestedDefault() {
        assertThat(placeholders.resolve("stytchSecret", "${env:STYTCH_SECRET:-${sys:stytch.secret}}")).isEqualTo("from-sys");
        assertThat(placeholders.resolve("p", "${env:DB_HOST:-${sys:unset}}")).as("outer wins when set").isEqualTo("db.internal");
    }

    @Test
    void neverResolvesAResolvedValueAgain() {
        assertThat(placeholders.resolve("p", "${env:TRICKY}")).isEqualTo("${env:DB_HOST}}");
        assertThat(placeholders.resolve("p", "${env:NOPE:-${env:TRICKY}}")).isEqualTo("${env:DB_HOST}}");
    }

    @Test
    void namesTheParamAndVariableWhenUnset() {
        assertThatThrownBy(() -> placeholders.resolve("stytchSecret", "${env:STYTCH_SECRET}"))
                .hasMessage("stytchSecret refers to ${env:STYTCH_SECRET}, which is not set (give a default with ${env:STYTCH_SECRET:-value})");
    }

    @Test
    void rejectsAMalformedPlaceholder() {
        assertThatThrownBy(() -> placeholders.resolve("p", "${db:x}"))
                .hasMessage("p has a malformed placeholder; use ${env:NAME}, ${sys:name} or ${env:NAME:-default}");
    }

    @Test
    void anOptionalValueReferringToAnUnsetVariableIsLeftOut() {
        assertThat(placeholders.resolveOptional("p", "${env:UNSET_ONE}")).isNull();
        assertThat(placeholders.resolveOptional("p", "pre-${env:UNSET_ONE:-x}")).isEqualTo("pre-x");
        assertThat(placeholders.resolveOptional("p", "${env:DB_HOST}")).isEqualTo("db.internal");
        assertThat(placeholders.resolveOptional("p", "plain")).isEqualTo("plain");
        assertThatThrownBy(() -> placeholders.resolveOptional("p", "${db:x}")).hasMessageContaining("malformed placeholder");
    }
}
