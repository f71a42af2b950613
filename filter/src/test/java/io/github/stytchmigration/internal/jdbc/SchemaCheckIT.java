package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaCheckIT {
    static final TestDatabase db = TestDatabase.create();
    static final UserTableMapping DEFAULTS = UserTableMapping.defaults();

    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    final Logger julLogger = Logger.getLogger(SchemaCheck.class.getName());

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void clean() {
        db.exec("DROP TABLE IF EXISTS users", "DROP SCHEMA IF EXISTS legacy CASCADE");
        julLogger.addHandler(capture);
    }

    @AfterEach
    void detach() {
        julLogger.removeHandler(capture);
    }

    static UserTableMapping withPhone() {
        return new UserTableMapping("users", "id", "email", "phone", "stytch_user_id", null, ConflictPolicy.REJECT);
    }

    @Test
    void passesTheDefaultUsersTableWithoutWarnings() {
        db.createDefaultUsersTable();

        assertThat(SchemaCheck.verify(db.dataSource(), withPhone())).isEmpty();
        assertThat(logged).isEmpty();
    }

    @Test
    void printsAlterTableWhenTheStytchColumnIsMissing() {
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT)");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaCheck.SchemaException.class)
                .hasMessageContaining("stytchUserIdColumn [stytch_user_id] not found in table [users]")
                .hasMessageContaining("ALTER TABLE users ADD COLUMN stytch_user_id VARCHAR(255);")
                .hasMessageContaining("CREATE UNIQUE INDEX CONCURRENTLY users_stytch_user_id_key ON users (stytch_user_id);");
    }

    @Test
    void printsCreateUniqueIndexWhenTheStytchColumnIsNotUnique() {
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT, stytch_user_id VARCHAR(255))",
                "CREATE INDEX users_stytch_plain ON users (stytch_user_id)");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaCheck.SchemaException.class)
                .hasMessageContaining("CREATE UNIQUE INDEX CONCURRENTLY users_stytch_user_id_key ON users (stytch_user_id);");
    }

    @Test
    void aMultiColumnOrPartialUniqueIndexDoesNotCount() {
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT, stytch_user_id VARCHAR(255), deleted BOOLEAN)",
                "CREATE UNIQUE INDEX users_pair ON users (stytch_user_id, email)",
                "CREATE UNIQUE INDEX users_live ON users (stytch_user_id) WHERE NOT deleted");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaCheck.SchemaException.class).hasMessageContaining("CREATE UNIQUE INDEX");
    }

    @Test
    void acceptsAUniqueConstraint() {
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT, stytch_user_id VARCHAR(255))",
                "ALTER TABLE users ADD CONSTRAINT users_stytch_unique UNIQUE (stytch_user_id)",
                "CREATE INDEX ON users (lower(email))");

        assertThat(SchemaCheck.verify(db.dataSource(), DEFAULTS)).isEmpty();
    }

    @Test
    void warnsWhenNoIndexServesTheLowerCasedEmailLookup() {
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email VARCHAR(320), stytch_user_id VARCHAR(255) UNIQUE)",
                "CREATE INDEX users_email_plain ON users (email)"); // does not serve lower(email) = ANY(?)

        List<String> warnings = SchemaCheck.verify(db.dataSource(), DEFAULTS);

        assertThat(warnings).singleElement().asString()
                .contains("CREATE INDEX CONCURRENTLY users_lower_email_idx ON users (lower(email));");
        assertThat(logged).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains("lower(email)");
        });
    }

    @Test
    void acceptsALowerEmailIndexOnAVarcharColumn() {
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email VARCHAR(320), stytch_user_id VARCHAR(255) UNIQUE)",
                "CREATE INDEX users_lower_email_idx ON users (lower(email))");

        assertThat(SchemaCheck.verify(db.dataSource(), DEFAULTS)).isEmpty();
    }

    @Test
    void warnsWhenThePhoneColumnHasNoIndex() {
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT, phone TEXT, stytch_user_id VARCHAR(255) UNIQUE)",
                "CREATE INDEX ON users (lower(email))");

        assertThat(SchemaCheck.verify(db.dataSource(), withPhone())).singleElement().asString()
                .contains("CREATE INDEX CONCURRENTLY users_phone_idx ON users (phone);");
    }

    @Test
    void resolvesSchemaQualifiedAndUpperCaseNamesLikePostgreSql() {
        db.exec("CREATE SCHEMA legacy",
                "CREATE TABLE legacy.members (member_no SERIAL PRIMARY KEY, mail VARCHAR(320) NOT NULL, stytch_ref VARCHAR(255) UNIQUE)",
                "CREATE INDEX members_lower_mail_idx ON legacy.members (lower(mail))");
        UserTableMapping upper = new UserTableMapping("Legacy.MEMBERS", "MEMBER_NO", "Mail", null, "STYTCH_REF", null,
                ConflictPolicy.REJECT);

        assertThat(SchemaCheck.verify(db.dataSource(), upper)).isEmpty();
    }

    @Test
    void printsDdlForASchemaQualifiedTable() {
        db.exec("CREATE SCHEMA legacy", "CREATE TABLE legacy.members (member_no SERIAL PRIMARY KEY, mail TEXT)");
        UserTableMapping legacy = new UserTableMapping("legacy.members", "member_no", "mail", null, "stytch_ref", null,
                ConflictPolicy.REJECT);

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), legacy))
                .hasMessageContaining("ALTER TABLE legacy.members ADD COLUMN stytch_ref VARCHAR(255);")
                .hasMessageContaining("CREATE UNIQUE INDEX CONCURRENTLY members_stytch_ref_key ON legacy.members (stytch_ref);");
    }

    @Test
    void namesAMissingTableAndAMissingColumn() {
        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaCheck.SchemaException.class).hasMessageStartingWith("userTable [users] not found");

        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, mail TEXT, stytch_user_id VARCHAR(255) UNIQUE)");
        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaCheck.SchemaException.class)
                .hasMessage("emailColumn [email] not found in table [users]");
    }

    @Test
    void anUnreachableDatabaseIsReportedAsUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:" + port + "/nothing");

        assertThatThrownBy(() -> SchemaCheck.verify(nowhere, DEFAULTS)).isInstanceOf(DatabaseUnavailableException.class);
    }

    @Test
    void aHangingDataSourceDoesNotHangTheCheck() {
        DataSource hanging = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        Thread.sleep(60_000);
                    }
                    if (method.getReturnType() == PrintWriter.class) {
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });

        long started = System.nanoTime();
        assertThatThrownBy(() -> SchemaCheck.verify(hanging, DEFAULTS, 300))
                .isInstanceOf(DatabaseUnavailableException.class).hasMessageContaining("did not finish within 300 ms");
        assertThat(System.nanoTime() - started).isLessThan(30_000_000_000L);
    }
}
