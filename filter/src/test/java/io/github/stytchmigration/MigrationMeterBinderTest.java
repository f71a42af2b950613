package io.github.stytchmigration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationMeterBinderTest {
    @Test
    void bindsEveryCounterTaggedByFilter() {
        MigrationFilter filter = new MigrationFilter();
        filter.metrics().outcome(MigrationOutcome.CREATED);
        filter.metrics().failure(ErrorCode.RATE_LIMITED);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new MigrationMeterBinder(filter).bindTo(registry);

        assertThat(registry.get("stytch.migration.logins").tag("outcome", "created").functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get("stytch.migration.logins").tag("outcome", "linked").functionCounter().count()).isZero();
        assertThat(registry.get("stytch.migration.failures").tag("code", "rate_limited").functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get("stytch.migration.stytch.calls").functionTimer().count()).isZero();
        assertThat(registry.get("stytch.migration.logins.in.flight").tag("filter", "MigrationFilter").gauge().value()).isZero();
        filter.metrics().outcome(MigrationOutcome.CREATED);
        assertThat(registry.get("stytch.migration.logins").tag("outcome", "created").functionCounter().count())
                .as("read live, not copied at bind time").isEqualTo(2.0);
    }

    @Test
    void onlyTheBinderRefersToMicrometer() throws IOException {
        // Micrometer is optional: a class that names it anywhere in its constant pool could fail to load without it
        Path classes = Path.of("target/classes");
        List<String> referring;
        try (Stream<Path> files = Files.walk(classes)) {
            referring = files.filter(p -> p.toString().endsWith(".class")).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains("io/micrometer/");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(p -> classes.relativize(p).toString()).collect(Collectors.toList());
        }
        assertThat(referring).containsExactly("io/github/stytchmigration/MigrationMeterBinder.class");
    }
}
