package io.github.stytchmigration.operate;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationListener;
import io.github.stytchmigration.MigrationResult;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.LogCapture;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter's MBean read through the platform MBean server, as jconsole reads it, after known logins through
 * a real web.xml in Jetty; and a listener named by the {@code listenerClass} init-param.
 */
class MetricsIT {
    static final ObjectName NAME = name("io.github.stytchmigration:type=MigrationFilter,context=/app,name=stytchMigration");

    /** Named in web.xml; loaded by the webapp's class loader, which finds it on the test class path. */
    public static final class RecordingListener implements MigrationListener {
        static final List<String> EVENTS = new CopyOnWriteArrayList<>();

        @Override
        public void onSuccess(MigrationResult result) {
            EVENTS.add(result.outcome().name());
        }

        @Override
        public void onFailure(ErrorCode code, String incidentId) {
            EVENTS.add(code.code());
        }
    }

    static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void countsEachOutcomeAndFailureCodeAndTimesStytchAndTheDatabaseUntilUndeployed() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        RecordingListener.EVENTS.clear();
        try (LogCapture logs = LogCapture.start()) {
            try (AppStack stack = AppStack.startWithFilter(p -> p.put("listenerClass", RecordingListener.class.getName()))) {
                assertThat(server.isRegistered(NAME)).as("registered at init").isTrue();
                assertThat(server.getAttribute(NAME, "Logins")).isEqualTo(0L);
                String callback = stack.appUrl() + "/authenticate";
                stack.users().seed("alice@example.com");

                String aliceToken = stack.emulator().magicLinkToken("alice@example.com");
                assertThat(Browser.field(new Browser().callback(callback, "magic_links", aliceToken), "outcome")).isEqualTo("LINKED");
                assertThat(Browser.field(new Browser().callback(callback, "magic_links",
                        stack.emulator().magicLinkToken("alice@example.com")), "outcome")).isEqualTo("ALREADY_LINKED");
                assertThat(Browser.field(new Browser().callback(callback, "magic_links",
                        stack.emulator().magicLinkToken("bob@example.com")), "outcome")).isEqualTo("CREATED");
                HttpResponse<String> used = new Browser().callback(callback, "magic_links", aliceToken);
                assertThat(used.statusCode()).isEqualTo(401);
                assertThat(new Browser().get(callback + "?stytch_token_type=magic_links").statusCode()).isEqualTo(400);
                assertThat(new Browser().get(stack.appUrl() + "/account").statusCode()).as("not a callback").isEqualTo(200);

                assertThat(server.getAttribute(NAME, "LoginsLinked")).isEqualTo(1L);
                assertThat(server.getAttribute(NAME, "LoginsAlreadyLinked")).isEqualTo(1L);
                assertThat(server.getAttribute(NAME, "LoginsCreated")).isEqualTo(1L);
                assertThat(server.getAttribute(NAME, "Logins")).isEqualTo(3L);
                assertThat(server.getAttribute(NAME, "FailuresInvalidToken")).isEqualTo(1L);
                assertThat(server.getAttribute(NAME, "FailuresInvalidRequest")).isEqualTo(1L);
                assertThat(server.getAttribute(NAME, "FailuresAccountConflict")).isEqualTo(0L);
                assertThat(server.getAttribute(NAME, "Failures")).isEqualTo(2L);
                assertThat(server.getAttribute(NAME, "LoginsInFlight")).isEqualTo(0);
                assertThat(server.getAttribute(NAME, "StytchCalls")).as("the used token reached Stytch too").isEqualTo(4L);
                assertThat(server.getAttribute(NAME, "DatabaseCalls")).isEqualTo(3L);
                assertThat((Double) server.getAttribute(NAME, "StytchTimeP99Millis")).isPositive();
                assertThat((Double) server.getAttribute(NAME, "DatabaseTimeTotalMillis")).isPositive();
                assertThat((Double) server.getAttribute(NAME, "DatabaseTimeP99Millis"))
                        .isLessThanOrEqualTo((Double) server.getAttribute(NAME, "DatabaseTimeTotalMillis"));
                assertThat(RecordingListener.EVENTS).containsExactly("LINKED", "ALREADY_LINKED", "CREATED",
                        "invalid_token", "invalid_request");
            }
            assertThat(server.isRegistered(NAME)).as("unregistered when the webapp stops").isFalse();
            assertThat(server.queryNames(new ObjectName("io.github.stytchmigration:*"), null)).isEmpty();
            assertThat(logs.text()).contains("listenerClass=" + RecordingListener.class.getName());
        }
    }
}
