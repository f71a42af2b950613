package io.github.stytchmigration.operate;

import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationReport;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The progress and preflight report against real PostgreSQL seeded with one row per case, exact counts; the
 * command through flags, a properties file and a web.xml; and a timed run over 1 000 000 rows (printed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationReportIT {
    private final TestDatabase db = TestDatabase.create();

    @TempDir
    Path dir;

    @BeforeAll
    void seed() {
        UsersTable.create(db);
        db.exec("ALTER TABLE users ADD COLUMN origin TEXT NOT NULL DEFAULT 'legacy'",
                "ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'");
        // id: email, phone, stytch_user_id, origin, status
        row("linked@example.com", null, "user-test-1", "legacy", "active");       // 1 linked, existed before
        row("new@example.com", null, "user-test-2", "stytch", "active");          // 2 created by the migration
        row(null, "+15550000003", "user-test-3", "stytch", "active");             // 3 created, phone only
        row("waiting@example.com", null, null, "legacy", "active");               // 4 not migrated, matchable
        row(null, null, null, "legacy", "active");                                // 5 nothing to match by
        row("", null, null, "legacy", "active");                                  // 6 empty email
        row("not-an-email", "+15550000007", null, "legacy", "active");            // 7 matchable by phone only
        row(" padded@example.com ", null, null, "legacy", "active");              // 8 whitespace: never matches
        row("Dup@Example.com", null, null, "legacy", "active");                   // 9  } ambiguous by email
        row("dup@example.COM", null, null, "legacy", "active");                   // 10 }
        row("pair@example.com", null, "user-test-4", "legacy", "active");         // 11 } settled: one is linked
        row("PAIR@example.com", null, null, "legacy", "active");                  // 12 }
        row("gone@example.com", null, null, "legacy", "disabled");                // 13 excluded, not migrated
        row("old@example.com", null, "user-test-5", "legacy", "disabled");        // 14 excluded, linked
        row(null, "+15550000099", null, "legacy", "active");                      // 15 } ambiguous by phone
        row(null, "+15550000099", null, "legacy", "active");                      // 16 }
    }

    private void row(String email, String phone, String stytchUserId, String origin, String status) {
        db.queryLong("INSERT INTO users (email, phone, stytch_user_id, origin, status) VALUES (?, ?, ?, ?, ?) RETURNING id",
                email, phone, stytchUserId, origin, status);
    }

    @AfterAll
    void drop() {
        db.close();
    }

    private MigrationConfig config(String table) {
        return MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret("unused").jdbcUrl(db.jdbcUrl())
                .userTable(table).phoneColumn("phone").activeUserCondition("status = 'active'").build();
    }

    @Test
    void countsEveryCaseExactly() {
        MigrationReport r = MigrationReport.run(db.dataSource(), config("users"),
                new MigrationReport.Options().createdCondition("origin = 'stytch'"));

        assertThat(r.totalRows()).isEqualTo(16);
        assertThat(r.linkedRows()).isEqualTo(5);
        assertThat(r.createdRows()).isEqualTo(2);
        assertThat(r.linkedExistingRows()).isEqualTo(3);
        assertThat(r.notMigratedRows()).isEqualTo(11);
        assertThat(r.unmatchableRows()).as("rows 5, 6 and 8").isEqualTo(3);
        assertThat(r.emailsWithSurroundingWhitespace()).isEqualTo(1);
        assertThat(r.ambiguousGroups()).as("dup@example.com and +15550000099").isEqualTo(2);
        assertThat(r.ambiguousRows()).isEqualTo(4);
        assertThat(r.sampleGroups()).extracting(g -> g.kind() + ":" + g.value() + ":" + g.ids())
                .containsExactly("email:dup@example.com:9,10", "phone:+15550000099:15,16");
        assertThat(r.inactiveRows()).isEqualTo(2);
        assertThat(r.inactiveNotMigratedRows()).isEqualTo(1);
        assertThat(r.schemaVerdict()).isEqualTo("ok");
        assertThat(r.schemaMessages()).isEmpty();
    }

    @Test
    void saysWhatItCannotKnowWithoutACreatedCondition() {
        MigrationReport r = MigrationReport.run(db.dataSource(), config("users"), new MigrationReport.Options());
        assertThat(r.createdRows()).isEqualTo(-1);
        assertThat(r.linkedExistingRows()).isEqualTo(-1);
        assertThat(r.toTable(false)).contains("created vs linked", "unknown", "cannot tell rows the migration created");
        assertThat(r.toJson(false)).contains("\"created\":null", "\"linked\":5");
    }

    @Test
    void masksEmailsAndPhonesUnlessAsked() {
        MigrationReport r = MigrationReport.run(db.dataSource(), config("users"), new MigrationReport.Options());
        assertThat(r.toTable(false)).contains("d***@example.com", "***99").doesNotContain("dup@example.com", "+15550000099");
        assertThat(r.toJson(false)).contains("\"value\":\"d***@example.com\"").doesNotContain("dup@example.com");
        assertThat(r.toTable(true)).contains("dup@example.com", "+15550000099");
        assertThat(r.toJson(true)).contains("\"value\":\"dup@example.com\"");
    }

    private String[] out = new String[2];

    private int command(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = MigrationReport.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        out = new String[]{o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        return status;
    }

    @Test
    void theCommandReadsFlags() {
        assertThat(command("--jdbcUrl", db.jdbcUrl(), "--jdbcUsername=" + db.user(), "--jdbcPassword", db.password(),
                "--phoneColumn", "phone", "--activeUserCondition", "status = 'active'",
                "--created-condition", "origin = 'stytch'", "--json")).as(out[1]).isZero();
        assertThat(out[0]).startsWith("{\"table\":\"users\",\"total\":16,\"linked\":5,\"created\":2,\"linkedExisting\":3,"
                + "\"notMigrated\":11,\"notMigratedUnmatchable\":3,\"emailsWithSurroundingWhitespace\":1,"
                + "\"ambiguousGroups\":2,\"ambiguousRows\":4,\"inactive\":2,\"inactiveNotMigrated\":1,");
        assertThat(out[0] + out[1]).doesNotContain(db.password());
    }

    @Test
    void theCommandReadsTheFilterOfAWebXmlAndIgnoresItsStytchParams() throws Exception {
        System.setProperty("report.test.password", db.password());
        Path webXml = new WebApp()
                .filter("other", "com.example.OtherFilter", java.util.Map.of("userTable", "nope"))
                .filter("stytchMigration", WebApp.MIGRATION_FILTER, params(
                        "stytchProjectId", "project-test-x",
                        // the Stytch secret's variable exists on the app server only: the report never needs it
                        "stytchSecret", "${env:REPORT_TEST_UNSET_SECRET}",
                        "jdbcUrl", db.jdbcUrl(), "jdbcUsername", db.user(), "jdbcPassword", "${sys:report.test.password}",
                        "phoneColumn", "phone", "activeUserCondition", "status = 'active'"))
                .writeTo(dir.resolve("app")).resolve("WEB-INF/web.xml");
        assertThat(command("--web-xml", webXml.toString())).as(out[1]).isZero();
        assertThat(out[0]).contains("Migration progress of table users").containsPattern("not yet migrated\\s+11")
                .containsPattern("ambiguous groups\\s+2").containsPattern("excluded by activeUserCondition\\s+2")
                .containsPattern("schema check\\s+ok").doesNotContain("dup@example.com");

        Path properties = dir.resolve("report.properties");
        Files.writeString(properties, "userTable=users\nphoneColumn=\n");
        assertThat(command("--web-xml", webXml.toString(), "--filter-name", "stytchMigration", "--properties",
                properties.toString(), "--json")).as(out[1]).isZero();
        assertThat(out[0]).as("the properties file overrides web.xml: no phone matching")
                .contains("\"ambiguousGroups\":1,").contains("\"notMigratedUnmatchable\":6,");
    }

    private static java.util.Map<String, String> params(String... nameValues) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.put(nameValues[i], nameValues[i + 1]);
        }
        return m;
    }

    @Test
    void theCommandRefusesWhatItCannotUseNamingIt() {
        assertThat(command("--dataSourceJndiName", "java:comp/env/jdbc/users")).isEqualTo(MigrationReport.EXIT_USAGE);
        assertThat(out[1]).contains("dataSourceJndiName [java:comp/env/jdbc/users] is the container's DataSource and cannot"
                + " be reached from here: pass --jdbcUrl");
        assertThat(command("--jdbcUrl", db.jdbcUrl(), "--userTabel", "users")).isEqualTo(MigrationReport.EXIT_USAGE);
        assertThat(out[1]).contains("unknown option --userTabel");
        assertThat(command("--jdbcUrl", db.jdbcUrl(), "--userTable", "users;drop")).isEqualTo(MigrationReport.EXIT_USAGE);
        assertThat(out[1]).contains("userTable [users;drop] must be a SQL identifier");
        assertThat(command("--help")).isZero();
        assertThat(out[0]).contains("--web-xml FILE", "--show-emails", "--created-condition SQL");
    }

    @Test
    void printsTheSchemaChecksVerdictAndExitsOneWhenItFails() {
        db.exec("CREATE TABLE members (id BIGSERIAL PRIMARY KEY, email TEXT, stytch_user_id VARCHAR(255))");
        assertThat(command("--jdbcUrl", db.jdbcUrl(), "--jdbcUsername", db.user(), "--userTable", "members"))
                .as(out[1]).isEqualTo(MigrationReport.EXIT_SCHEMA_FAILED);
        assertThat(out[0]).containsPattern("schema check\\s+failed")
                .contains("has no valid single-column UNIQUE index", "CREATE UNIQUE INDEX CONCURRENTLY members_stytch_user_id_key");
    }

    @Test
    void readsAMillionRowsInAggregatePassesAndPrintsTheTime() {
        try (TestDatabase big = TestDatabase.create()) {
            UsersTable.create(big);
            // every 3rd row linked, every 10th without an email, every 1000th sharing its email with the next row
            big.exec("INSERT INTO users (email, stytch_user_id) SELECT CASE WHEN i % 10 = 0 THEN NULL"
                            + " WHEN i % 1000 = 1 THEN 'twin' || (i / 1000) || '@example.com'"
                            + " WHEN i % 1000 = 2 THEN 'TWIN' || (i / 1000) || '@example.com'"
                            + " ELSE 'user' || i || '@example.com' END,"
                            + " CASE WHEN i % 3 = 0 THEN 'user-test-' || i END FROM generate_series(1, 1000000) AS i",
                    "ANALYZE users");
            MigrationConfig config = MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret("unused")
                    .jdbcUrl(big.jdbcUrl()).build();
            List<Long> millis = new ArrayList<>();
            MigrationReport r = null;
            for (int run = 0; run < 2; run++) {
                r = MigrationReport.run(big.dataSource(), config, new MigrationReport.Options());
                millis.add(r.elapsedMillis());
            }
            System.out.println("MigrationReportIT: 1 000 000 rows, report read in " + millis + " ms (cold, warm)");
            System.out.println(r.toTable(false));
            assertThat(r.totalRows()).isEqualTo(1_000_000);
            assertThat(r.linkedRows()).isEqualTo(333_333);
            assertThat(r.notMigratedRows()).isEqualTo(666_667);
            // i % 10 = 0 and not linked: i % 30 != 0 among multiples of 10 → 100 000 - 33 333
            assertThat(r.unmatchableRows()).isEqualTo(100_000 - 33_333);
            // pairs (1000k+1, 1000k+2), k = 0..999: linked when either is a multiple of 3
            long ambiguous = 0;
            for (long k = 0; k < 1000; k++) {
                if ((1000 * k + 1) % 3 != 0 && (1000 * k + 2) % 3 != 0) {
                    ambiguous++;
                }
            }
            assertThat(r.ambiguousGroups()).isEqualTo(ambiguous);
            assertThat(r.ambiguousRows()).isEqualTo(2 * ambiguous);
        }
    }
}
