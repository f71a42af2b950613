package io.github.stytchmigration.internal;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationOutcome;
import org.junit.jupiter.api.Test;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationMetricsTest {
    @Test
    void percentilesCoverOnlyTheLatestCalls() {
        MigrationMetrics m = new MigrationMetrics();
        assertThat(m.stytch().recentMillis(0.99)).isZero();
        // 2000 slow calls, then RECENT fast ones: the slow ones have left the window but stay in the total
        for (int i = 0; i < 2000; i++) {
            m.stytchCall(TimeUnit.MILLISECONDS.toNanos(500));
        }
        for (int i = 1; i <= MigrationMetrics.RECENT; i++) {
            m.stytchCall(TimeUnit.MICROSECONDS.toNanos(i * 10L));
        }
        assertThat(m.stytch().count()).isEqualTo(2000 + MigrationMetrics.RECENT);
        assertThat(m.stytch().totalMillis()).isGreaterThan(2000 * 500.0);
        assertThat(m.stytch().recentMillis(0.99)).isEqualTo(Math.ceil(0.99 * MigrationMetrics.RECENT) * 0.01, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(m.stytch().recentMillis(0.50)).isEqualTo(MigrationMetrics.RECENT / 2 * 0.01, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void countsOutcomesAndFailuresApart() {
        MigrationMetrics m = new MigrationMetrics();
        m.outcome(MigrationOutcome.CREATED);
        m.outcome(MigrationOutcome.ALREADY_LINKED);
        m.outcome(MigrationOutcome.ALREADY_LINKED);
        m.failure(ErrorCode.INVALID_TOKEN);
        assertThat(m.logins()).isEqualTo(3);
        assertThat(m.logins(MigrationOutcome.ALREADY_LINKED)).isEqualTo(2);
        assertThat(m.logins(MigrationOutcome.LINKED)).isZero();
        assertThat(m.failures()).isEqualTo(1);
        assertThat(m.failures(ErrorCode.INVALID_TOKEN)).isEqualTo(1);
    }

    @Test
    void theMBeanHasOneAttributePerOutcomeAndCodeAndIsGoneOnceUnregistered() throws Exception {
        MigrationMetrics m = new MigrationMetrics();
        m.outcome(MigrationOutcome.LINKED);
        m.failure(ErrorCode.ACCOUNT_CONFLICT);
        m.databaseCall(TimeUnit.MILLISECONDS.toNanos(3));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = MetricsJmx.register(m, "/shop", "stytchMigration");
        ObjectName second = MetricsJmx.register(new MigrationMetrics(), "/shop", "stytchMigration");
        try {
            assertThat(name).hasToString("io.github.stytchmigration:type=MigrationFilter,context=/shop,name=stytchMigration");
            assertThat(second).as("a second live filter of that name gets an instance number")
                    .hasToString("io.github.stytchmigration:type=MigrationFilter,context=/shop,name=stytchMigration,instance=2");
            assertThat(Arrays.stream(server.getMBeanInfo(name).getAttributes()).map(MBeanAttributeInfo::getName))
                    .contains("LoginsCreated", "LoginsLinked", "LoginsAlreadyLinked", "FailuresInvalidRequest",
                            "FailuresAccountConflict", "FailuresDatabaseUnavailable", "LoginsInFlight",
                            "StytchTimeP99Millis", "DatabaseTimeTotalMillis");
            assertThat(server.getAttribute(name, "LoginsLinked")).isEqualTo(1L);
            assertThat(server.getAttribute(name, "FailuresAccountConflict")).isEqualTo(1L);
            assertThat(server.getAttribute(name, "DatabaseCalls")).isEqualTo(1L);
            assertThat((Double) server.getAttribute(name, "DatabaseTimeP99Millis")).isEqualTo(3.0);
        } finally {
            MetricsJmx.unregister(name);
            MetricsJmx.unregister(second);
        }
        assertThat(server.isRegistered(name)).isFalse();
        assertThat(server.isRegistered(second)).isFalse();
    }

    @Test
    void quotesNamesThatHoldCharactersJmxReserves() {
        assertThat(MetricsJmx.objectName("", "a,b=c", 1).getKeyProperty("name")).isEqualTo("\"a,b=c\"");
        assertThat(MetricsJmx.objectName(null, "f", 1).getKeyProperty("context")).isEqualTo("/");
    }
}
