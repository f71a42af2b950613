package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.SQLExceptionOverride.Override;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

class ReadOnlyEvictionTest {
    private final ReadOnlyEviction eviction = new ReadOnlyEviction();

    @Test
    void readOnlyRefusalsOfEachDatabaseAreEvicted() {
        assertThat(eviction.adjudicate(new SQLException("cannot execute INSERT in a read-only transaction", "25006")))
                .isEqualTo(Override.MUST_EVICT);
        assertThat(eviction.adjudicate(new SQLException("--read-only option", "HY000", 1290))).isEqualTo(Override.MUST_EVICT);
        assertThat(eviction.adjudicate(new SQLException("read-only mode", "HY000", 1836))).isEqualTo(Override.MUST_EVICT);
    }

    @Test
    void everythingElseIsLeftToHikariCPsOwnRules() {
        assertThat(eviction.adjudicate(new SQLException("duplicate key", "23505"))).isEqualTo(Override.CONTINUE_EVICT);
        assertThat(eviction.adjudicate(new SQLException("connection failure", "08006"))).isEqualTo(Override.CONTINUE_EVICT);
        assertThat(eviction.adjudicate(new SQLException("Oracle's 1290 means something else", "72000", 1290)))
                .isEqualTo(Override.CONTINUE_EVICT);
    }
}
