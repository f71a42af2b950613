package io.github.stytchmigration.testing;

import io.github.stytchmigration.emulator.StytchEmulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The init-params of one filter declaration, in the order they are added. Names are the literal
 * web.xml names an operator writes.
 *
 * <pre>{@code
 * InitParams.stytch(emulator).jdbc(db).put("stytchTimeoutMillis", "2000")
 * }</pre>
 */
public final class InitParams {
    private final Map<String, String> values = new LinkedHashMap<>();

    private InitParams() {
    }

    /** Project id, secret and API base URL of the emulator. */
    public static InitParams stytch(StytchEmulator emulator) {
        return new InitParams()
                .put("stytchProjectId", emulator.projectId())
                .put("stytchSecret", emulator.secret())
                .put("stytchApiBaseUrl", emulator.baseUrl());
    }

    /** The database through the filter's own HikariCP pool. */
    public InitParams jdbc(TestDatabase db) {
        return put("jdbcUrl", db.jdbcUrl()).put("jdbcUsername", db.user()).put("jdbcPassword", db.password());
    }

    /** The database through a container DataSource, e.g. {@code java:comp/env/jdbc/users}. */
    public InitParams jndi(String name) {
        return put("dataSourceJndiName", name);
    }

    public InitParams put(String name, String value) {
        values.put(name, value);
        return this;
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
}
