package io.github.stytchmigration.sample;

import io.github.stytchmigration.MigrationReport;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.sample.testing.Pages;
import io.github.stytchmigration.sample.testing.SharedSample;
import io.github.stytchmigration.sample.testing.WebClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README "Operating the sample's migration", step by step, on the sample as {@code java -jar} starts it: the
 * MBean its start text names, read through the platform MBean server (what jconsole shows); the report command
 * its start text prints, run with exactly those arguments; the emulator's page showing each migrated user's
 * external_id. The sample is shared with other test classes, so counts are compared before and after this
 * test's own logins: a seeded person (LINKED, then ALREADY_LINKED) and a newcomer (CREATED).
 */
class OperatingTheSampleTest {
    /** The name the README documents. */
    static final String BEAN = "io.github.stytchmigration:type=MigrationFilter,context=/,name=stytchMigration";

    static SampleLauncher sample;
    static StytchEmulator emulator;

    @BeforeAll
    static void start() {
        sample = SharedSample.get();
        emulator = sample.emulator();
    }

    @Test
    void operatorSeesLoginsInTheMBeanTheReportAndExternalIdsInTheEmulator() throws Exception {
        // the start text names the bean and prints the report command
        String text = sample.description();
        assertThat(text).contains("  JMX MBean:  " + BEAN + "   <- jconsole: this process, tab MBeans\n");
        List<String> reportArgs = reportArguments(text);
        assertThat(reportArgs).containsSubsequence("--web-xml", "src/main/webapp/WEB-INF/web.xml")
                .containsSubsequence("--jdbcUsername", "postgres")
                .containsSubsequence("--created-condition", "origin = 'stytch_signup'");

        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName bean = new ObjectName(BEAN);
        Map<String, Long> mbeanBefore = counters(jmx, bean);
        Map<String, Long> reportBefore = report(reportArgs);

        // a seeded person's first login links the row; the write of the external_id follows the answer
        String seeded = "jordan.oneil@example.com";
        HttpResponse<String> first = new WebClient(SharedSample.appBase()).magicLinkLoginAndFollow(emulator, seeded);
        assertThat(Pages.byId(first.body(), "outcome")).isEqualTo("LINKED");
        String seededStytchId = Pages.byId(first.body(), "stytch-user-id");
        awaitAttribute(jmx, bean, "ExternalIdWrites", mbeanBefore.get("ExternalIdWrites") + 1);
        // the next one finds the id already there and writes nothing
        HttpResponse<String> again = new WebClient(SharedSample.appBase()).magicLinkLoginAndFollow(emulator, seeded);
        assertThat(Pages.byId(again.body(), "outcome")).isEqualTo("ALREADY_LINKED");
        // a newcomer gets a new row, and its id too
        String newcomer = "operator.olga@example.com";
        HttpResponse<String> created = new WebClient(SharedSample.appBase()).magicLinkLoginAndFollow(emulator, newcomer);
        assertThat(Pages.byId(created.body(), "outcome")).isEqualTo("CREATED");
        String newcomerStytchId = Pages.byId(created.body(), "stytch-user-id");
        awaitAttribute(jmx, bean, "ExternalIdWrites", mbeanBefore.get("ExternalIdWrites") + 2);

        // jconsole's numbers
        Map<String, Long> mbeanAfter = counters(jmx, bean);
        assertThat(delta(mbeanBefore, mbeanAfter)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "Logins", 3L, "LoginsLinked", 1L, "LoginsAlreadyLinked", 1L, "LoginsCreated", 1L,
                "Failures", 0L, "ExternalIdWrites", 2L, "ExternalIdWriteFailures", 0L, "ExternalIdRefusals", 0L));

        // the report's numbers: one row more, two more linked (one existing, one created), one fewer to go
        Map<String, Long> reportAfter = report(reportArgs);
        assertThat(delta(reportBefore, reportAfter)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "total", 1L, "linked", 2L, "created", 1L, "linkedExisting", 1L, "notMigrated", -1L));

        // the emulator's page: each user's external_id is its row's id
        String page = get(emulator.baseUrl() + "/emulator");
        assertThat(page).contains("<th scope=\"col\">external_id</th>");
        assertThat(externalIdCell(page, seededStytchId)).isEqualTo(Long.toString(rowId(seeded)));
        assertThat(externalIdCell(page, newcomerStytchId)).isEqualTo(Long.toString(rowId(newcomer)));
    }

    /** The words after the report's main class on the start text's "Report:" line, shell quotes removed. */
    static List<String> reportArguments(String text) {
        Matcher line = Pattern.compile("(?m)^  Report:     (.*)$").matcher(text);
        assertThat(line.find()).as("a Report line in:\n" + text).isTrue();
        List<String> words = shellWords(line.group(1));
        int main = words.indexOf(MigrationReport.class.getName());
        assertThat(words.subList(0, 2)).containsExactly("java", "-cp");
        assertThat(main).isEqualTo(3);
        return words.subList(main + 1, words.size());
    }

    /** Splits a command line as a POSIX shell does for plain words, '…' and "…" (no escapes inside). */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (c == ' ') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        assertThat(quote == 0).as("balanced quotes in [" + line + "]").isTrue();
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /** The report's numbers, as {@code --json} prints them; it must exit 0 (the schema check passed). */
    static Map<String, Long> report(List<String> args) {
        List<String> withJson = new ArrayList<>(args);
        withJson.add("--json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MigrationReport.run(withJson.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as("exit status; stderr: " + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(json).contains("\"schema\":{\"verdict\":\"ok\"");
        Map<String, Long> numbers = new HashMap<>();
        for (String field : List.of("total", "linked", "created", "linkedExisting", "notMigrated")) {
            Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
            assertThat(m.find()).as(field + " in " + json).isTrue();
            numbers.put(field, Long.parseLong(m.group(1)));
        }
        return numbers;
    }

    static Map<String, Long> counters(MBeanServer jmx, ObjectName bean) throws JMException {
        Map<String, Long> values = new HashMap<>();
        for (String name : List.of("Logins", "LoginsLinked", "LoginsAlreadyLinked", "LoginsCreated", "Failures",
                "ExternalIdWrites", "ExternalIdWriteFailures", "ExternalIdRefusals")) {
            values.put(name, (Long) jmx.getAttribute(bean, name));
        }
        return values;
    }

    /** The write follows the login's answer: wait for it (bounded), so that the next login sees it done. */
    static void awaitAttribute(MBeanServer jmx, ObjectName bean, String name, long expected) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while ((Long) jmx.getAttribute(bean, name) < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat((Long) jmx.getAttribute(bean, name)).as(name).isEqualTo(expected);
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new HashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.get(k)));
        return d;
    }

    static String get(String url) throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        return page.body();
    }

    /** The last cell of the users table's row of this Stytch user: the external_id column. */
    static String externalIdCell(String page, String stytchUserId) {
        Matcher row = Pattern.compile("<tr>(?:(?!</tr>).)*<code>" + Pattern.quote(stytchUserId) + "</code>(?:(?!</tr>).)*</tr>",
                Pattern.DOTALL).matcher(page);
        assertThat(row.find()).as("a row of " + stytchUserId + " on the emulator's page").isTrue();
        Matcher cell = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(row.group());
        String last = null;
        while (cell.find()) {
            last = cell.group(1);
        }
        return last == null ? null : Pages.unescape(last).replaceAll("<[^>]*>", "").trim();
    }

    static long rowId(String email) throws Exception {
        try (Connection c = sample.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM users WHERE lower(email) = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for " + email).isTrue();
                return rs.getLong(1);
            }
        }
    }
}
