package dev.parley.auth.service;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.auth.config.AccountConfig;
import dev.parley.auth.repository.AccountJobRepository;
import dev.parley.auth.repository.AccountJobRepository.Job;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The services' side of account jobs (platform's {@code AccountJobs} calls it through the internal endpoints): the
 * jobs a service has not done, one file of an export, and "done". The last service's "done" completes the job: a
 * deletion removes the job and the tombstone, an export becomes ready.
 */
@ApplicationScoped
public class AccountJobsService {
    private static final Logger LOG = Logger.getLogger(AccountJobsService.class);
    /** A relative path of plain segments: no {@code ..}, no absolute path, no backslash or control character. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");

    private final AccountJobRepository jobs;
    private final AccountDeletion deletion;
    private final AccountExports exports;
    private final AccountConfig config;
    private final ObjectMapper mapper;

    public AccountJobsService(AccountJobRepository jobs, AccountDeletion deletion, AccountExports exports,
                              AccountConfig config, ObjectMapper mapper) {
        this.jobs = jobs;
        this.deletion = deletion;
        this.exports = exports;
        this.config = config;
        this.mapper = mapper;
    }

    public List<Job> pending(String service, int limit) {
        int size = Math.max(1, Math.min(limit, 200));
        return QuarkusTransaction.requiringNew().call(() -> jobs.pendingFor(service, size));
    }

    /** Stores one file of this service's part of an export (the same name replaces it). */
    public void file(String service, UUID jobId, String name, byte[] json) {
        validName(name);
        if (json == null || json.length == 0) {
            throw new ApiException(400, "INVALID_JSON", "The file must be a JSON value");
        }
        if (json.length > config.exportFileMaxBytes().asLongValue()) {
            throw new ApiException(413, "PAYLOAD_TOO_LARGE", "An export file may hold at most "
                    + config.exportFileMaxBytes().asLongValue() + " bytes: split it",
                    Map.of("max_bytes", config.exportFileMaxBytes().asLongValue()));
        }
        try {
            mapper.readTree(json);
        } catch (IOException e) {
            throw new ApiException(400, "MALFORMED_JSON", "The file is not valid JSON");
        }
        QuarkusTransaction.requiringNew().run(() -> {
            Job job = jobs.lock(jobId).filter(j -> jobs.involves(jobId, service))
                    .orElseThrow(() -> ApiException.notFound("ACCOUNT_JOB_NOT_FOUND", "No such account job for " + service));
            if (!AccountJobRepository.EXPORT.equals(job.kind())) {
                throw new ApiException(409, "NOT_AN_EXPORT", "Only an export job takes files");
            }
            exports.store(job, service, name, json);
        });
    }

    /** This service has done its part; idempotent (again, or for a job already complete and gone: nothing happens). */
    public void done(String service, UUID jobId) {
        QuarkusTransaction.requiringNew().run(() -> jobs.lock(jobId).ifPresent(job -> {
            if (jobs.markDone(jobId, service, Stored.now()) > 0) {
                LOG.infof("account job %s (%s) done by %s", jobId, job.kind(), service);
                completeIfDone(job);
            }
        }));
    }

    /**
     * Completes the jobs whose configured services have all reported done: after an operator removed a service from
     * {@code parley.account.services}, its jobs no longer wait for it (the cleanup calls this).
     */
    public int completeFinished() {
        List<UUID> ids = QuarkusTransaction.requiringNew().call(() -> jobs.completeButNotMarked(config.services()));
        int n = 0;
        for (UUID id : ids) {
            n += QuarkusTransaction.requiringNew().call(() -> jobs.lock(id).map(this::completeIfDone).orElse(false)) ? 1 : 0;
        }
        return n;
    }

    private boolean completeIfDone(Job job) {
        if (job.readyAt() != null || jobs.remaining(job.id(), config.services()) > 0) {
            return false;
        }
        if (AccountJobRepository.DELETE.equals(job.kind())) {
            deletion.finish(job.id(), job.userId());
        } else {
            jobs.markReady(job.id(), Stored.now());
            LOG.infof("export %s ready", job.id());
        }
        return true;
    }

    private static void validName(String name) {
        if (name == null || name.isEmpty() || name.length() > 200) {
            throw Stored.invalid("name", "a relative path of 1-200 characters");
        }
        for (String segment : name.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals("..") || segment.equals(".")) {
                throw Stored.invalid("name", "a relative path of letters, digits, '.', '_', '-' separated by '/' "
                        + "(no '..', no absolute path)");
            }
        }
    }
}
