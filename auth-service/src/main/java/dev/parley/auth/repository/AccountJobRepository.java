package dev.parley.auth.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * {@code account_jobs}, {@code account_job_services} and {@code account_export_files}: deletions and exports, which
 * service has done each, and an export's files. Native SQL (several tables, partial indexes, bytes read one file at a
 * time). Call these inside a transaction.
 */
@ApplicationScoped
public class AccountJobRepository {
    public static final String DELETE = "delete";
    public static final String EXPORT = "export";

    private final EntityManager em;

    public AccountJobRepository(EntityManager em) {
        this.em = em;
    }

    public record Job(UUID id, String kind, UUID userId, Instant createdAt, Instant readyAt) { }

    public record Pending(String service, long jobs, Instant oldest) { }

    public record StoredFile(String service, String name, long sizeBytes, boolean omitted) { }

    public void insert(UUID id, String kind, UUID userId, Instant at, Collection<String> services) {
        em.createNativeQuery("INSERT INTO account_jobs (id, kind, user_id, created_at) VALUES (?1, ?2, ?3, ?4)")
                .setParameter(1, id).setParameter(2, kind).setParameter(3, userId).setParameter(4, at).executeUpdate();
        for (String service : services) {
            em.createNativeQuery("INSERT INTO account_job_services (job_id, service, created_at) VALUES (?1, ?2, ?3)")
                    .setParameter(1, id).setParameter(2, service).setParameter(3, at).executeUpdate();
        }
    }

    /** The job, its row locked until the transaction ends (done reports and uploads of one job are serialised). */
    public Optional<Job> lock(UUID id) {
        return jobs("SELECT id, kind, user_id, created_at, ready_at FROM account_jobs WHERE id = ?1 FOR UPDATE", id)
                .stream().findFirst();
    }

    public Optional<Job> deletionOf(UUID userId) {
        return jobs("SELECT id, kind, user_id, created_at, ready_at FROM account_jobs WHERE user_id = ?1 AND kind = 'delete'",
                userId).stream().findFirst();
    }

    public Optional<Job> export(UUID userId, UUID id) {
        return jobs("SELECT id, kind, user_id, created_at, ready_at FROM account_jobs "
                + "WHERE id = ?1 AND user_id = ?2 AND kind = 'export'", id, userId).stream().findFirst();
    }

    /** The user's newest export still being built, and the newest ready one (either may be absent). */
    public Optional<Job> newestExport(UUID userId, boolean ready) {
        return jobs("SELECT id, kind, user_id, created_at, ready_at FROM account_jobs WHERE user_id = ?1 AND kind = 'export' "
                + "AND ready_at IS " + (ready ? "NOT NULL" : "NULL") + " ORDER BY created_at DESC, id LIMIT 1", userId)
                .stream().findFirst();
    }

    /** The jobs this service has not reported done, oldest first. */
    public List<Job> pendingFor(String service, int limit) {
        return jobs("SELECT j.id, j.kind, j.user_id, j.created_at, j.ready_at FROM account_job_services s "
                + "JOIN account_jobs j ON j.id = s.job_id WHERE s.service = ?1 AND s.done_at IS NULL "
                + "ORDER BY s.created_at, s.job_id LIMIT " + Math.max(1, limit), service);
    }

    public boolean involves(UUID job, String service) {
        return count("SELECT count(*) FROM account_job_services WHERE job_id = ?1 AND service = ?2", job, service) > 0;
    }

    /** Marks this service's part done; 0 when it already was (or the job is not this service's). */
    public int markDone(UUID job, String service, Instant at) {
        return em.createNativeQuery("UPDATE account_job_services SET done_at = ?3 WHERE job_id = ?1 AND service = ?2 "
                        + "AND done_at IS NULL")
                .setParameter(1, job).setParameter(2, service).setParameter(3, at).executeUpdate();
    }

    /** The services (among {@code services}) that have not reported the job done. */
    public long remaining(UUID job, Collection<String> services) {
        if (services.isEmpty()) {
            return 0;
        }
        return ((Number) em.createNativeQuery("SELECT count(*) FROM account_job_services WHERE job_id = ?1 "
                        + "AND done_at IS NULL AND service IN (?2)")
                .setParameter(1, job).setParameter(2, services).getSingleResult()).longValue();
    }

    /** Jobs not complete whose services among {@code services} have all reported done (a service was removed). */
    public List<UUID> completeButNotMarked(Collection<String> services) {
        String sql = "SELECT j.id FROM account_jobs j WHERE j.ready_at IS NULL" + (services.isEmpty() ? ""
                : " AND NOT EXISTS (SELECT 1 FROM account_job_services s WHERE s.job_id = j.id AND s.done_at IS NULL "
                + "AND s.service IN (?1))");
        var q = em.createNativeQuery(sql, UUID.class);
        if (!services.isEmpty()) {
            q.setParameter(1, services);
        }
        @SuppressWarnings("unchecked")
        List<UUID> ids = q.getResultList();
        return ids;
    }

    /** Each service's part of every job: done or not. */
    public Map<String, Boolean> services(UUID job) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Object r : em.createNativeQuery("SELECT service, done_at IS NOT NULL FROM account_job_services "
                + "WHERE job_id = ?1 ORDER BY service").setParameter(1, job).getResultList()) {
            Object[] row = (Object[]) r;
            out.put((String) row[0], (Boolean) row[1]);
        }
        return out;
    }

    public void markReady(UUID job, Instant at) {
        em.createNativeQuery("UPDATE account_jobs SET ready_at = ?2 WHERE id = ?1")
                .setParameter(1, job).setParameter(2, at).executeUpdate();
    }

    public void delete(UUID job) {
        em.createNativeQuery("DELETE FROM account_jobs WHERE id = ?1").setParameter(1, job).executeUpdate();
    }

    public int deleteExportsOf(UUID userId) {
        return em.createNativeQuery("DELETE FROM account_jobs WHERE user_id = ?1 AND kind = 'export'")
                .setParameter(1, userId).executeUpdate();
    }

    /** Deletes the exports that became ready before {@code cutoff} (expired), with their files. */
    public int deleteExportsReadyBefore(Instant cutoff) {
        return em.createNativeQuery("DELETE FROM account_jobs WHERE kind = 'export' AND ready_at < ?1")
                .setParameter(1, cutoff).executeUpdate();
    }

    /** Per service: the jobs it has not done and when the oldest of them was created. */
    public List<Pending> pendingByService() {
        List<Pending> out = new ArrayList<>();
        for (Object r : em.createNativeQuery("SELECT service, count(*), min(created_at) FROM account_job_services "
                + "WHERE done_at IS NULL GROUP BY service", Object[].class).getResultList()) {
            Object[] row = (Object[]) r;
            out.add(new Pending((String) row[0], ((Number) row[1]).longValue(), instant(row[2])));
        }
        return out;
    }

    // --- an export's files

    /** The size of a stored file of that name (content or omitted), if there is one. */
    public Optional<Long> fileSize(UUID job, String service, String name) {
        List<?> rows = em.createNativeQuery("SELECT CASE WHEN content IS NULL THEN 0 ELSE size_bytes END "
                        + "FROM account_export_files WHERE job_id = ?1 AND service = ?2 AND name = ?3")
                .setParameter(1, job).setParameter(2, service).setParameter(3, name).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(((Number) rows.get(0)).longValue());
    }

    public long fileCount(UUID job, String service) {
        return count("SELECT count(*) FROM account_export_files WHERE job_id = ?1 AND service = ?2", job, service);
    }

    /** Bytes stored for the export (files left out do not count). */
    public long storedBytes(UUID job) {
        return count("SELECT coalesce(sum(size_bytes), 0) FROM account_export_files WHERE job_id = ?1 AND content IS NOT NULL",
                job);
    }

    /** Stores (or replaces) one file; {@code content} null records it as left out. */
    public void putFile(UUID job, String service, String name, long size, byte[] content, Instant at) {
        String sql = "INSERT INTO account_export_files (job_id, service, name, size_bytes, stored_at, content) "
                + "VALUES (?1, ?2, ?3, ?4, ?5, " + (content == null ? "NULL" : "?6") + ") "
                + "ON CONFLICT (job_id, service, name) DO UPDATE SET "
                + "size_bytes = EXCLUDED.size_bytes, content = EXCLUDED.content, stored_at = EXCLUDED.stored_at";
        var q = em.createNativeQuery(sql).setParameter(1, job).setParameter(2, service).setParameter(3, name)
                .setParameter(4, size).setParameter(5, at);
        if (content != null) {
            q.setParameter(6, content);
        }
        q.executeUpdate();
    }

    public List<StoredFile> files(UUID job) {
        List<StoredFile> out = new ArrayList<>();
        for (Object r : em.createNativeQuery("SELECT service, name, size_bytes, content IS NULL FROM account_export_files "
                + "WHERE job_id = ?1 ORDER BY service, name").setParameter(1, job).getResultList()) {
            Object[] row = (Object[]) r;
            out.add(new StoredFile((String) row[0], (String) row[1], ((Number) row[2]).longValue(), (Boolean) row[3]));
        }
        return out;
    }

    public byte[] content(UUID job, String service, String name) {
        List<?> rows = em.createNativeQuery("SELECT content FROM account_export_files WHERE job_id = ?1 AND service = ?2 "
                        + "AND name = ?3 AND content IS NOT NULL")
                .setParameter(1, job).setParameter(2, service).setParameter(3, name).getResultList();
        return rows.isEmpty() ? null : (byte[]) rows.get(0);
    }

    private List<Job> jobs(String sql, Object... params) {
        var q = em.createNativeQuery(sql, Object[].class);
        for (int i = 0; i < params.length; i++) {
            q.setParameter(i + 1, params[i]);
        }
        List<Job> out = new ArrayList<>();
        for (Object r : q.getResultList()) {
            Object[] row = (Object[]) r;
            out.add(new Job((UUID) row[0], (String) row[1], (UUID) row[2], instant(row[3]), instant(row[4])));
        }
        return out;
    }

    private long count(String sql, Object... params) {
        var q = em.createNativeQuery(sql);
        for (int i = 0; i < params.length; i++) {
            q.setParameter(i + 1, params[i]);
        }
        return ((Number) q.getSingleResult()).longValue();
    }

    private static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        }
        throw new IllegalStateException("not a time: " + o.getClass());
    }
}
