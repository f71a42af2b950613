package io.github.stytchmigration.sample.web;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {
    @AfterEach
    void clear() {
        System.clearProperty("settings.test.a");
    }

    @Test
    void resolvesSystemPropertiesInsideText() {
        System.setProperty("settings.test.a", "x");
        assertThat(Settings.resolve("p", "pre-${sys:settings.test.a}-post", true)).isEqualTo("pre-x-post");
    }

    @Test
    void looksAtTheDefaultOnlyWhenTheVariableIsUnset() {
        System.setProperty("settings.test.a", "set");
        assertThat(Settings.resolve("p", "${sys:settings.test.a:-${sys:settings.test.unset}}", true)).isEqualTo("set");
        System.clearProperty("settings.test.a");
        assertThat(Settings.resolve("p", "${sys:settings.test.a:-${sys:settings.test.unset:-fallback}}", true))
                .isEqualTo("fallback");
    }

    @Test
    void unsetOptionalValueIsNullAndUnsetRequiredValueNamesTheParam() {
        assertThat(Settings.resolve("p", "${sys:settings.test.unset}", false)).isNull();
        assertThatThrownBy(() -> Settings.resolve("stytchSecret", "${sys:settings.test.unset}", true))
                .hasMessage("context-param stytchSecret refers to ${sys:settings.test.unset}, which is not set"
                        + " (give a default with ${sys:settings.test.unset:-value})");
    }

    @Test
    void rejectsMalformedPlaceholders() {
        assertThatThrownBy(() -> Settings.resolve("p", "${nope:x}", true)).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Settings.resolve("p", "${sys:x", true)).hasMessageContaining("malformed");
    }
}
