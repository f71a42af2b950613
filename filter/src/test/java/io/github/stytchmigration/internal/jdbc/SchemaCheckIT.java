package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.jdbc.SchemaCheck.SchemaException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The schema check against real PostgreSQL and real MariaDB: the same cases on each, each printing the
 * DDL for its database. Cases that only one database has (PostgreSQL's partial indexes and name
 * folding; MariaDB's collations and generated columns) say so with an assumption.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("databases")
class SchemaCheckIT {
    static final StoreDb POSTGRES = StoreDb.postgres();
    static final StoreDb MARIADB = StoreDb.mariaDb();
    static final UserTableMapping DEFAULTS = UserTableMapping.defaults();

    @Parameter
    StoreDb db;

    LogCapture logs;

    /** What {@link SchemaCheck} logged during the test. */
    List<LogCapture.Line> logged() {
        return logs.lines().stream().filter(l -> l.logger().equals(SchemaCheck.class.getName())).toList();
    }

    static List<StoreDb> databases() {
        return List.of(POSTGRES, MARIADB);
    }

    @AfterAll
    static void dropDatabases() {
        POSTGRES.close();
        MARIADB.close();
    }

    @BeforeEach
    void clean() {
        db.exec("DROP TABLE IF EXISTS users");
        logs = LogCapture.start();
    }

    @AfterEach
    void detach() {
        logs.close();
    }

    boolean postgres() {
        return db.dialect() == Dialect.POSTGRESQL;
    }

    /** "CREATE UNIQUE INDEX [CONCURRENTLY ]users_stytch_user_id_key ON users (stytch_user_id);" */
    String uniqueIndexDdl() {
        return "CREATE UNIQUE INDEX " + (postgres() ? "CONCURRENTLY " : "") + "users_stytch_user_id_key ON users (stytch_user_id);";
    }

    static UserTableMapping withPhone() {
        return new UserTableMapping("users", "id", "email", "phone", "stytch_user_id", null, ConflictPolicy.REJECT);
    }

    @Test
    void passesTheDefaultUsersTableWithoutWarnings() {
        db.createDefaultUsersTable();

        TableReport report = SchemaCheck.inspect(db.dataSource(), withPhone(), 15_000);

        assertThat(report.warnings()).isEmpty();
        assertThat(report.dialect()).isEqualTo(db.dialect());
        assertThat(report.stytchUniqueIndexes()).containsExactly("users_stytch_user_id_key");
        assertThat(logged()).isEmpty();
    }

    @Test
    void printsAlterTableWhenTheStytchColumnIsMissing() {
        db.exec("CREATE TABLE users (" + db.autoIdColumn() + ", email VARCHAR(320))");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("stytchUserIdColumn [stytch_user_id] not found in table [users]")
                .hasMessageContaining(db.addStytchColumnDdl())
                .hasMessageContaining(uniqueIndexDdl());
    }

    @Test
    void printsCreateUniqueIndexWhenTheStytchColumnIsNotUnique() {
        db.exec("CREATE TABLE users (" + db.autoIdColumn() + ", email VARCHAR(320), stytch_user_id VARCHAR(255))",
                "CREATE INDEX users_stytch_plain ON users (stytch_user_id)");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaException.class).hasMessageContaining(uniqueIndexDdl());
    }

    @Test
    void aMultiColumnUniqueIndexDoesNotCount() {
        db.exec("CREATE TABLE users (" + db.autoIdColumn() + ", email VARCHAR(320), stytch_user_id VARCHAR(255))",
                "CREATE UNIQUE INDEX users_pair ON users (stytch_user_id, email)");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaException.class).hasMessageContaining("CREATE UNIQUE INDEX");
    }

    @Test
    void aPartialUniqueIndexDoesNotCountOnPostgreSql() {
        assumeTrue(postgres(), "partial indexes are PostgreSQL's");
        db.exec("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT, stytch_user_id VARCHAR(255), deleted BOOLEAN)",
                "CREATE UNIQUE INDEX users_live ON users (stytch_user_id) WHERE NOT deleted");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaException.class).hasMessageContaining("CREATE UNIQUE INDEX");
    }

    @Test
    void aPrefixUniqueIndexDoesNotCountOnMariaDb() {
        assumeTrue(!postgres(), "prefix indexes are MariaDB's and MySQL's");
        db.exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320), stytch_user_id VARCHAR(255),"
                + " UNIQUE KEY users_stytch_prefix (stytch_user_id(10)))");

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaException.class).hasMessageContaining(uniqueIndexDdl());
    }

    @Test
    void acceptsAUniqueConstraintAndReportsItsName() {
        db.exec("CREATE TABLE users (" + db.autoIdColumn() + ", email VARCHAR(320), stytch_user_id VARCHAR(255))",
                "ALTER TABLE users ADD CONSTRAINT users_stytch_unique UNIQUE (stytch_user_id)");

        TableReport report = SchemaCheck.inspect(db.dataSource(), DEFAULTS, 15_000);

        assertThat(report.stytchUniqueIndexes()).containsExactly("users_stytch_unique");
    }

    @Test
    void warnsWhenNoIndexServesTheCaseInsensitiveEmailLookup() {
        // a plain index serves lower(email) on neither database when the comparison is case-sensitive
        db.exec("CREATE TABLE users (" + db.autoIdColumn() + ", email VARCHAR(320)" + (postgres() ? "" : " COLLATE utf8mb4_bin")
                + ", stytch_user_id VARCHAR(255)" + (postgres() ? "" : " COLLATE ascii_bin") + " UNIQUE)",
                "CREATE INDEX users_email_plain ON users (email)");

        List<String> warnings = SchemaCheck.verify(db.dataSource(), DEFAULTS);

        assertThat(warnings).singleElement().asString().contains(postgres()
                ? "CREATE INDEX CONCURRENTLY users_lower_email_idx ON users (lower(email));"
                : "ALTER TABLE users ADD COLUMN email_lower VARCHAR(320) AS (lower(email)) VIRTUAL,"
                + " ADD INDEX users_email_lower_idx (email_lower);");
        assertThat(logged()).singleElement().satisfies(r -> {
            assertThat(r.level()).isEqualTo(Level.WARNING);
            assertThat(r.message()).contains("lower(email)");
        });
    }

    @Test
    void warnsWhenThePhoneColumnHasNoIndex() {
        db.createDefaultUsersTable();
        db.exec("DROP INDEX users_phone_idx" + (postgres() ? "" : " ON users"));

        assertThat(SchemaCheck.verify(db.dataSource(), withPhone())).singleElement().asString()
                .contains("CREATE INDEX " + (postgres() ? "CONCURRENTLY " : "") + "users_phone_idx ON users (phone);");
    }

    @Test
    void namesAMissingTableAndAMissingColumn() {
        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaException.class).hasMessageStartingWith("userTable [users] not found");

        db.exec("CREATE TABLE users (" + db.autoIdColumn() + ", mail VARCHAR(320), stytch_user_id VARCHAR(255) UNIQUE)");
        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS))
                .isInstanceOf(SchemaException.class)
                .hasMessage("emailColumn [email] not found in table [users]");
    }

    @Test
    void acceptsAValidActiveUserCondition() {
        db.createDefaultUsersTable();
        db.exec("ALTER TABLE users ADD COLUMN status VARCHAR(16)", "ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP NULL");

        assertThat(SchemaCheck.verify(db.dataSource(), DEFAULTS.withActiveUserCondition(
                "status = 'active' AND deleted_at IS NULL"))).isEmpty();
    }

    @Test
    void rejectsAnActiveUserConditionOverAMissingColumnWithTheDatabasesWords() {
        db.createDefaultUsersTable();

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS.withActiveUserCondition("sttus = 'active'")))
                .isInstanceOf(SchemaException.class)
                .hasMessageStartingWith("activeUserCondition [sttus = 'active'] is not a valid condition over table [users] (SQLState 42")
                .hasMessageContaining("sttus");
    }

    @Test
    void rejectsAnActiveUserConditionThatIsNotBooleanOnPostgreSql() {
        assumeTrue(postgres(), "MariaDB takes any value as a truth value");
        db.createDefaultUsersTable();

        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), DEFAULTS.withActiveUserCondition("id + 1")))
                .isInstanceOf(SchemaException.class).hasMessageContaining("must be type boolean");
    }

    @Test
    void resolvesSchemaQualifiedAndUpperCaseNamesLikePostgreSql() {
        assumeTrue(postgres(), "PostgreSQL's name folding and search_path");
        db.exec("DROP SCHEMA IF EXISTS legacy CASCADE", "CREATE SCHEMA legacy",
                "CREATE TABLE legacy.members (member_no SERIAL PRIMARY KEY, mail VARCHAR(320) NOT NULL, stytch_ref VARCHAR(255) UNIQUE)",
                "CREATE INDEX members_lower_mail_idx ON legacy.members (lower(mail))");
        UserTableMapping upper = new UserTableMapping("Legacy.MEMBERS", "MEMBER_NO", "Mail", null, "STYTCH_REF", null,
                ConflictPolicy.REJECT);
        UserTableMapping legacy = new UserTableMapping("legacy.members", "member_no", "mail", null, "stytch_ref2", null,
                ConflictPolicy.REJECT);

        assertThat(SchemaCheck.verify(db.dataSource(), upper)).isEmpty();
        assertThatThrownBy(() -> SchemaCheck.verify(db.dataSource(), legacy))
                .hasMessageContaining("ALTER TABLE legacy.members ADD COLUMN stytch_ref2 VARCHAR(255);")
                .hasMessageContaining("CREATE UNIQUE INDEX CONCURRENTLY members_stytch_ref2_key ON legacy.members (stytch_ref2);");
    }

    @Test
    void usesAnIndexedGeneratedLowerEmailColumnUnderACaseSensitiveCollation() {
        assumeTrue(!postgres(), "collations and generated columns of MariaDB");
        db.exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320) COLLATE utf8mb4_bin,"
                + " stytch_user_id VARCHAR(255) COLLATE ascii_bin UNIQUE,"
                + " mail_lc VARCHAR(320) AS (LCASE(email)) VIRTUAL, INDEX users_mail_lc_idx (mail_lc))");

        TableReport report = SchemaCheck.inspect(db.dataSource(), DEFAULTS, 15_000);

        assertThat(report.emailLookup()).isEqualTo("mail_lc");
        assertThat(report.warnings()).isEmpty();
    }

    @Test
    void usesTheEmailIndexItselfUnderACaseInsensitiveCollation() {
        assumeTrue(!postgres(), "collations of MariaDB");
        db.exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320) COLLATE utf8mb4_unicode_ci,"
                + " stytch_user_id VARCHAR(255) COLLATE ascii_bin UNIQUE, INDEX users_email_idx (email))");

        TableReport report = SchemaCheck.inspect(db.dataSource(), DEFAULTS, 15_000);

        assertThat(report.emailLookup()).isEqualTo("email");
        assertThat(report.warnings()).isEmpty();
    }

    @Test
    void warnsWhenTheStytchIdColumnIsCaseInsensitive() {
        assumeTrue(!postgres(), "collations of MariaDB");
        db.exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320) COLLATE utf8mb4_unicode_ci,"
                + " stytch_user_id VARCHAR(255) COLLATE utf8mb4_unicode_ci UNIQUE, INDEX users_email_idx (email))");

        assertThat(SchemaCheck.verify(db.dataSource(), DEFAULTS)).singleElement().asString()
                .contains("case-insensitive collation [utf8mb4_unicode_ci]")
                .contains("ALTER TABLE users MODIFY stytch_user_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin;");
    }

    @Test
    void anUnreachableDatabaseIsReportedAsUnavailable() {
        assertThatThrownBy(() -> SchemaCheck.verify(db.unreachable(), DEFAULTS)).isInstanceOf(DatabaseUnavailableException.class);
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

        assertThatThrownBy(() -> SchemaCheck.verify(hanging, DEFAULTS, 300))
                .isInstanceOf(DatabaseUnavailableException.class).hasMessageContaining("did not finish within 300 ms");
    }
}
