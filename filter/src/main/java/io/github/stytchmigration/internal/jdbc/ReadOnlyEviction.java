package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.SQLExceptionOverride;

import java.sql.SQLException;

/**
 * Tells the filter's own HikariCP pool to drop a connection whose server refused a write as read-only.
 * HikariCP evicts on broken connections (class 08, PostgreSQL's shutdown states) but not on
 * {@code 25006}: after a failover that demotes the old primary to a standby, every pooled connection
 * to it stays alive and read-only, and every login would answer 503 until {@code maxLifetime} (30 min)
 * retired it. Evicted, the next borrow opens a new connection, which the failover's DNS name or
 * multi-host URL ({@code targetServerType=primary}) sends to the new primary.
 */
final class ReadOnlyEviction implements SQLExceptionOverride {
    // No @Override on adjudicate: the interface's nested enum is named Override too.

    /** {@code MUST_EVICT} for a read-only refusal; otherwise HikariCP's own rules decide. */
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        return SqlErrors.isReadOnly(e) ? SQLExceptionOverride.Override.MUST_EVICT
                : SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
}
