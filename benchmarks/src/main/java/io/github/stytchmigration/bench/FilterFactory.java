package io.github.stytchmigration.bench;

import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationFilter;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.jdbc.JdbcUserStore;
import io.github.stytchmigration.internal.jwt.JwksCache;
import io.github.stytchmigration.internal.jwt.JwksFetcher;
import io.github.stytchmigration.internal.jwt.JwtVerdict;
import io.github.stytchmigration.internal.jwt.SessionJwtVerifier;
import io.github.stytchmigration.internal.jdbc.SchemaCheck;
import io.github.stytchmigration.internal.jdbc.UserTableMapping;

import javax.sql.DataSource;
import java.util.List;

/**
 * The one place the harness builds the filter and reaches into its {@code internal} classes
 * ({@code JdbcUserStore}, {@code UserTableMapping}, {@code SchemaCheck}, {@code StytchIdentity},
 * {@code LinkResult}, the session JWT verifier). They are not API and change with the filter: when they do, this class is the
 * fix; the measurements only see {@link MigrationFilter}, {@link Store} and {@link Identity}.
 */
final class FilterFactory {
    /** The filter's Stytch timeout (its default), which the floor bounds its own call by. */
    static final long STYTCH_TIMEOUT_MILLIS = MigrationConfig.STYTCH_TIMEOUT_MILLIS.defaultValue();

    /** Query timeout of the stores of measurement 4, in seconds. */
    private static final int QUERY_TIMEOUT_SECONDS = 30;

    private FilterFactory() {
    }

    /** The filter, configured in code against the emulator over {@code dataSource}; {@code listener} may be null. */
    static MigrationFilter filter(StytchEmulator emulator, DataSource dataSource, MigrationListener listener) {
        return filter(emulator, dataSource, listener, b -> b);
    }

    /** The same, with more settings ({@code maxConcurrentCallbacks}, ...) applied by {@code tune}. */
    static MigrationFilter filter(StytchEmulator emulator, DataSource dataSource, MigrationListener listener,
                                  java.util.function.UnaryOperator<MigrationConfig.Builder> tune) {
        MigrationConfig.Builder b = MigrationConfig.builder()
                .stytchProjectId(emulator.projectId())
                .stytchSecret(emulator.secret())
                .stytchApiBaseUrl(emulator.baseUrl())
                .dataSource(dataSource);
        if (listener != null) {
            b.listener(listener);
        }
        return new MigrationFilter(tune.apply(b).build());
    }

    /**
     * The filter's user store over the contract's table {@code table} (columns {@code id}, {@code email},
     * {@code stytch_user_id}; no phone column, conflicts rejected), which does not own {@code dataSource}.
     */
    static Store store(DataSource dataSource, String table) {
        UserTableMapping mapping = new UserTableMapping(table, "id", "email", null, "stytch_user_id", null, ConflictPolicy.REJECT);
        return new Store(dataSource, mapping, new JdbcUserStore(dataSource, mapping, false, QUERY_TIMEOUT_SECONDS));
    }

    /** The filter's session JWT verifier of this project over HTTP, as the filter builds it (JWKS fetched on first use). */
    static Verifier verifier(StytchEmulator emulator) {
        return new Verifier(SessionJwtVerifier.create(emulator.projectId(), emulator.baseUrl(), FilterFactory.STYTCH_TIMEOUT_MILLIS, 300));
    }

    /**
     * The verifier's key cache over a JWKS held in memory (no network): share it between {@link #freshVerifier}s
     * so that each of them verifies its first JWT with the keys already parsed. Counts its fetches.
     */
    static Keys keys(String jwksJson) {
        return new Keys(jwksJson);
    }

    /** A new verifier (an empty JWT cache) over shared keys, its clock fixed at {@code now}: its every JWT is a first. */
    static Verifier freshVerifier(String projectId, String issuer, Keys keys, java.time.Instant now) {
        return new Verifier(new SessionJwtVerifier(projectId, java.util.Set.of("stytch.com/" + projectId, issuer), keys.cache, 300,
                java.time.Clock.fixed(now, java.time.ZoneOffset.UTC)));
    }

    /** A session JWT verifier; {@link #valid} is true only for a JWT it would log in. */
    static final class Verifier {
        private final SessionJwtVerifier verifier;

        private Verifier(SessionJwtVerifier verifier) {
            this.verifier = verifier;
        }

        boolean valid(String jwt) {
            return verifier.verify(jwt).kind() == JwtVerdict.Kind.VALID;
        }
    }

    /** See {@link #keys}. */
    static final class Keys {
        private final JwksCache cache;
        private final java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();

        private Keys(String jwksJson) {
            JwksFetcher inMemory = () -> {
                fetches.incrementAndGet();
                return new JwksFetcher.Jwks(jwksJson, 3600);
            };
            this.cache = new JwksCache(inMemory, System::nanoTime, 1000);
        }

        int fetches() {
            return fetches.get();
        }
    }

    /** A user as Stytch returns them after a login: a Stytch user id and one verified email. */
    static Identity identity(String stytchUserId, String verifiedEmail) {
        return new Identity(new StytchIdentity(stytchUserId, List.of(StytchIdentity.Identifier.verified(verifiedEmail)),
                List.of(), null, null));
    }

    /** The filter's link-or-create on one table, as a callback runs it after Stytch answered. */
    static final class Store {
        private final DataSource dataSource;
        private final UserTableMapping mapping;
        private final JdbcUserStore store;

        private Store(DataSource dataSource, UserTableMapping mapping, JdbcUserStore store) {
            this.dataSource = dataSource;
            this.mapping = mapping;
            this.store = store;
        }

        MigrationOutcome linkOrCreate(Identity identity) {
            return store.linkOrCreate(identity.value).outcome();
        }

        /** The filter's init-time schema check of the table: the warnings it logs (a missing index). */
        List<String> schemaWarnings() {
            return SchemaCheck.verify(dataSource, mapping);
        }
    }

    /** A prepared {@link #identity}, built before the timed call. */
    static final class Identity {
        private final StytchIdentity value;

        private Identity(StytchIdentity value) {
            this.value = value;
        }
    }
}
