package dev.parley.usage.repository;

import java.sql.PreparedStatement;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The PostgreSQL advisory lock between ingest and a recompute, held until the caller's transaction ends: ingest holds
 * it shared (batches run side by side), a recompute exclusively, so that no batch adds to the rollups and totals
 * being rebuilt. Call it first inside the transaction.
 */
@ApplicationScoped
public class RebuildLock {
    static final long KEY = 0x7061726c6579L;

    private final Jdbc jdbc;

    public RebuildLock(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Ingest: waits while a recompute runs. */
    public void holdShared() {
        hold("select pg_advisory_xact_lock_shared(?)");
    }

    /** A recompute: waits for the batches being stored, and holds new ones back until it commits. */
    public void holdExclusive() {
        hold("select pg_advisory_xact_lock(?)");
    }

    private void hold(String sql) {
        jdbc.with("taking the rebuild lock", c -> {
            try (PreparedStatement lock = c.prepareStatement(sql)) {
                lock.setLong(1, KEY);
                return lock.execute();
            }
        });
    }
}
