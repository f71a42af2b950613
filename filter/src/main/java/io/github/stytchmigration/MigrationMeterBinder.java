package io.github.stytchmigration;

import io.github.stytchmigration.internal.MigrationMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds one {@link MigrationFilter}'s metrics to a Micrometer registry, e.g. as a Spring Boot
 * {@code @Bean MeterBinder}. Micrometer is optional: this is the only class of the filter that refers to it,
 * and only an app that has {@code micrometer-core} (and uses this class) loads it. The same numbers are on
 * the filter's MBean without Micrometer.
 *
 * <p>Meters, each tagged {@code filter=<filter name>}: {@code stytch.migration.logins} (tag {@code outcome}),
 * {@code stytch.migration.failures} (tag {@code code}), {@code stytch.migration.logins.in.flight},
 * {@code stytch.migration.busy.rejections}, {@code stytch.migration.stytch.calls} and
 * {@code stytch.migration.database.calls} (function timers) with {@code ….p99} time gauges over the latest
 * {@value MigrationMetrics#RECENT} calls, {@code stytch.migration.external.id.writes} (tag {@code result}).
 *
 * <pre>{@code
 * @Bean MeterBinder migrationMetrics(MigrationFilter filter) { return new MigrationMeterBinder(filter); }
 * }</pre>
 */
public final class MigrationMeterBinder implements MeterBinder {
    private final MigrationFilter filter;
    private final Tags extraTags;

    /** @param filter the filter whose metrics to bind; its name is read when binding (after its init) */
    public MigrationMeterBinder(MigrationFilter filter) {
        this(filter, Tags.empty());
    }

    /** @param tags added to every meter, beside {@code filter} */
    public MigrationMeterBinder(MigrationFilter filter, Iterable<Tag> tags) {
        this.filter = Objects.requireNonNull(filter, "filter");
        this.extraTags = Tags.of(tags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        MigrationMetrics m = filter.metrics();
        String name = filter.filterName();
        Tags tags = extraTags.and("filter", name == null ? "MigrationFilter" : name);
        for (MigrationOutcome o : MigrationOutcome.values()) {
            FunctionCounter.builder("stytch.migration.logins", m, x -> x.logins(o))
                    .description("successful logins").tags(tags).tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        for (ErrorCode c : ErrorCode.values()) {
            FunctionCounter.builder("stytch.migration.failures", m, x -> x.failures(c))
                    .description("failed callbacks by error code").tags(tags).tag("code", c.code()).register(registry);
        }
        Gauge.builder("stytch.migration.logins.in.flight", m, MigrationMetrics::inFlight)
                .description("logins waiting on Stytch or the database").tags(tags).register(registry);
        FunctionCounter.builder("stytch.migration.busy.rejections", m, MigrationMetrics::busyRejections)
                .description("callbacks refused because maxConcurrentCallbacks were in flight").tags(tags).register(registry);
        timer(registry, tags, "stytch.migration.stytch.calls", "Stytch authenticate calls", m.stytch());
        timer(registry, tags, "stytch.migration.database.calls", "link-or-create units", m.database());
        externalId(registry, tags, m, "written", MigrationMetrics::externalIdWrites);
        externalId(registry, tags, m, "failed", MigrationMetrics::externalIdWriteFailures);
        externalId(registry, tags, m, "refused", MigrationMetrics::externalIdRefusals);
    }

    private static void timer(MeterRegistry registry, Tags tags, String name, String description, MigrationMetrics.Timer t) {
        FunctionTimer.builder(name, t, MigrationMetrics.Timer::count, MigrationMetrics.Timer::totalMillis,
                TimeUnit.MILLISECONDS).description(description).tags(tags).register(registry);
        TimeGauge.builder(name + ".p99", t, TimeUnit.MILLISECONDS, x -> x.recentMillis(0.99))
                .description("99th percentile of the latest " + MigrationMetrics.RECENT + " " + description)
                .tags(tags).register(registry);
    }

    private static void externalId(MeterRegistry registry, Tags tags, MigrationMetrics m, String result,
                                   ToDoubleFunction<MigrationMetrics> count) {
        FunctionCounter.builder("stytch.migration.external.id.writes", m, count)
                .description("external_id writes (writeExternalId) by result").tags(tags).tag("result", result)
                .register(registry);
    }
}
