package io.github.stytchmigration.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the benchmark harness with tiny sizes so it keeps working: every measurement runs and reports
 * well-formed numbers. It asserts the shape of the output, never the targets: figures come from
 * {@code mvn -Pbench}, not from timing assertions in tests.
 */
class BenchmarkSmokeIT {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    @Test
    void smokeRunReportsEveryMeasurementWithWellFormedNumbers(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Benchmark.run(Mode.SMOKE, dir, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        List<String> lines = output.lines().toList();
        String last = lines.get(lines.size() - 1);

        assertThat(last).startsWith(Benchmark.LINE_PREFIX);
        String json = last.substring(Benchmark.LINE_PREFIX.length());
        assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n");
        for (String key : List.of(
                // 1. pass-through
                "passthrough_ratio", "passthrough_rps_with", "passthrough_rps_without", "jmh_dofilter_ns", "jmh_empty_filter_ns",
                // 2. callbacks vs floor
                "already_linked_ratio", "linked_ratio", "created_ratio", "callbacks_per_s_filter_already_linked",
                "p50_ms_filter_already_linked", "p99_ms_filter_already_linked", "callbacks_per_s_floor_existing",
                // 3. round trips, on PostgreSQL and on MariaDB
                "round_trips_already_linked", "round_trips_linked", "round_trips_created",
                "round_trips_already_linked_mariadb", "round_trips_linked_mariadb", "round_trips_created_mariadb",
                // 4. scale, on PostgreSQL and on MariaDB
                "scale_ratio", "scale_p50_ms_linked_small", "scale_p50_ms_linked_large",
                "scale_ratio_mariadb", "scale_p50_ms_linked_small_mariadb", "scale_p50_ms_linked_large_mariadb",
                "scale_p50_ms_linked_large_no_email_index_mariadb",
                // 5. memory and threads
                "heap_mb_first", "heap_mb_second", "heap_delta_mb", "threads_first", "threads_second",
                // 6. bulkhead under a login storm
                "bulkhead_passthrough_p99_ratio", "bulkhead_rejected_p99_ms",
                // 7. sessions made elsewhere
                "session_steady_ratio", "session_steady_vs_sdk", "session_steady_stytch_calls", "forged_jwt_rps",
                "forged_jwt_stytch_calls", "new_jwt_stytch_calls", "jmh_new_jwt_us", "jmh_cached_jwt_us",
                // 8. statements per login with three app servers
                "servers_round_trips_already_linked", "servers_round_trips_linked", "servers_round_trips_created",
                "servers_statements_at_init",
                // 9. one app server vs two
                "servers_logins_per_s_created_one", "servers_logins_per_s_created_two",
                "servers_logins_per_s_already_linked_one", "servers_logins_per_s_already_linked_two",
                "servers_two_vs_one_created", "servers_two_vs_one_already_linked",
                // 10. writeExternalId in the steady state
                "external_id_on_off_ratio", "external_id_steady_state_updates",
                // 11. the progress report
                "report_rows", "report_ms")) {
            assertThat(number(json, key)).as(key).isNotNull();
        }
        assertThat(number(json, "passthrough_ratio")).isGreaterThan(0);
        assertThat(number(json, "round_trips_already_linked")).isGreaterThanOrEqualTo(1);
        assertThat(number(json, "round_trips_already_linked_mariadb")).isGreaterThanOrEqualTo(1);
        assertThat(json).contains("\"schema_check_warns_without_email_index\":true")
                .contains("\"schema_check_warns_without_email_index_mariadb\":true");

        for (String measurement : List.of("| 1 pass-through ratio", "| 2 ALREADY_LINKED / floor", "| 3 round trips CREATED",
                "| 3 MariaDB round trips ALREADY_LINKED", "| 3 MariaDB round trips CREATED", "| 4 LINKED p50 ratio",
                "| 4 MariaDB LINKED p50 ratio", "| 4 MariaDB SchemaCheck warns", "| 5 heap MB", "| 5 threads", "| 6 rejected callback p99 ms",
                "| 7 session steady ratio with/no filter", "| 7 Stytch calls for forged JWTs",
                "| 8 round trips ALREADY_LINKED on another server", "| 9 CREATED two servers / one",
                "| 10 ALREADY_LINKED, writeExternalId on / off", "| 11 report on")) {
            assertThat(output).contains(measurement);
        }
        assertThat(output).containsPattern("\\| (PASS|FAIL) +\\|");
        assertThat(dir.resolve("benchmark.png")).isNotEmptyFile();
        assertThat(Files.readString(dir.resolve("results.json")).trim()).isEqualTo(json);
    }

    private static Double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":([^,}]+)").matcher(json);
        if (!m.find() || !NUMBER.matcher(m.group(1)).matches()) {
            return null;
        }
        return Double.parseDouble(m.group(1));
    }
}
