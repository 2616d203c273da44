package dev.parley.usage.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The rebuild lock covers what the repositories do next in the same transaction: every statement of a transaction
 * runs on the connection that holds the lock, and the lock ends with the transaction.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class RebuildLockTest {
    @Inject
    RebuildLock lock;

    @Inject
    Jdbc jdbc;

    private long advisoryLocksOfThisSession(String mode) {
        return jdbc.with("test", c -> {
            try (PreparedStatement ps = c.prepareStatement("select count(*) from pg_locks where locktype = 'advisory' "
                    + "and pid = pg_backend_pid() and mode = ? and granted and classid::bigint = ? and objid::bigint = ?")) {
                ps.setString(1, mode);
                ps.setLong(2, RebuildLock.KEY >>> 32);
                ps.setLong(3, RebuildLock.KEY & 0xffffffffL);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Test
    void theLockIsHeldByTheConnectionTheNextStatementsUseUntilTheTransactionEnds() {
        long exclusive = QuarkusTransaction.requiringNew().call(() -> {
            lock.holdExclusive();
            return advisoryLocksOfThisSession("ExclusiveLock");
        });
        assertEquals(1, exclusive, "the statement after the lock ran on the locking connection");
        long shared = QuarkusTransaction.requiringNew().call(() -> {
            lock.holdShared();
            return advisoryLocksOfThisSession("ShareLock");
        });
        assertEquals(1, shared);
        assertEquals(0, advisoryLocksOfThisSession("ExclusiveLock") + advisoryLocksOfThisSession("ShareLock"),
                "released at commit");
    }
}
