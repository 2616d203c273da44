package dev.parley.platform.account;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Carries out auth-service's account jobs in a service that keeps user data (it has an {@link AccountData} bean):
 * every {@code parley.account-jobs.interval} it asks auth-service for the jobs it has not done, deletes or exports
 * through the bean, and reports each one done. Nothing is lost while this service or auth-service is down: a job
 * stays pending at auth-service until every service has reported it, so a service that was down catches up when it
 * is back (all calls go to auth-service, which calls no one: no two services call each other). Several replicas may
 * do the same job at once; deletions are idempotent and an export file of the same name is replaced.
 */
@ApplicationScoped
public class AccountJobs {
    private static final Logger LOG = Logger.getLogger(AccountJobs.class);

    private final Instance<AccountData> data;
    private final AccountJobsApi auth;
    private final ObjectMapper mapper;
    private final Duration interval;
    private ScheduledExecutorService timer;
    private long lastWarning;

    public AccountJobs(Instance<AccountData> data, @RestClient AccountJobsApi auth, ObjectMapper mapper,
                       @ConfigProperty(name = "parley.account-jobs.interval", defaultValue = "PT5S") Duration interval) {
        this.data = data;
        this.auth = auth;
        this.mapper = mapper;
        this.interval = interval;
    }

    void start(@Observes StartupEvent event) {
        if (!data.isResolvable() || interval.isZero() || interval.isNegative()) {
            return; // this service keeps no user data, or the jobs are switched off (a test that drives them itself)
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "account-jobs");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runQuietly() {
        try {
            runPending();
        } catch (RuntimeException e) {
            long now = System.currentTimeMillis();
            if (now - lastWarning > 60_000) {
                lastWarning = now;
                LOG.warnf("Account jobs not done yet (retried every %s): %s", interval, e.getClass().getSimpleName());
            }
        }
    }

    /** Does every job auth-service has pending for this service; the number done. */
    public int runPending() {
        AccountData handler = data.get();
        int done = 0;
        for (AccountJobsApi.Job job : auth.pending(50).data()) {
            switch (job.kind()) {
                case "delete" -> handler.delete(job.userId());
                case "export" -> handler.export(job.userId(), (name, content) -> upload(job, name, content));
                default -> {
                    LOG.warnf("Unknown account job kind %s (job %s): skipped", job.kind(), job.id());
                    continue;
                }
            }
            auth.done(job.id());
            done++;
        }
        return done;
    }

    private void upload(AccountJobsApi.Job job, String name, Object content) {
        try {
            auth.file(job.id(), name, mapper.writeValueAsBytes(content));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("export file " + name + " is not serialisable", e);
        }
    }
}
