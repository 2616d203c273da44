package dev.parley.auth.service;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.auth.config.AccountConfig;
import dev.parley.auth.entity.User;
import dev.parley.auth.repository.AccessKeyRepository;
import dev.parley.auth.repository.AccountJobRepository;
import dev.parley.auth.repository.AccountJobRepository.Job;
import dev.parley.auth.repository.AccountJobRepository.StoredFile;
import dev.parley.auth.repository.KnownLoginRepository;
import dev.parley.auth.repository.ProviderKeyRepository;
import dev.parley.auth.repository.UserRepository;
import dev.parley.platform.error.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * A user's export: auth-service's own part (the account, access keys and provider keys as metadata only, login
 * history) is written when the export starts; every service in {@code parley.account.services} uploads its part as an
 * {@code export} account job; once all have reported done the export is ready, as one zip archive with a
 * {@code manifest.json}, for {@code parley.account.export-ttl}. Files past {@code parley.account.export-max-bytes} are
 * left out and the manifest names them.
 */
@ApplicationScoped
public class AccountExports {
    private static final Logger LOG = Logger.getLogger(AccountExports.class);
    public static final String SELF = "auth-service";

    private final AccountJobRepository jobs;
    private final UserRepository users;
    private final AccessKeyRepository accessKeys;
    private final ProviderKeyRepository providerKeys;
    private final KnownLoginRepository knownLogins;
    private final AccountConfig config;
    private final ObjectMapper mapper;

    public AccountExports(AccountJobRepository jobs, UserRepository users, AccessKeyRepository accessKeys,
                          ProviderKeyRepository providerKeys, KnownLoginRepository knownLogins, AccountConfig config,
                          ObjectMapper mapper) {
        this.jobs = jobs;
        this.users = users;
        this.accessKeys = accessKeys;
        this.providerKeys = providerKeys;
        this.knownLogins = knownLogins;
        this.config = config;
        this.mapper = mapper;
    }

    /** An export's state: building, ready or expired, and which services have done their part. */
    public record Status(UUID id, String status, Instant createdAt, Instant readyAt, Map<String, String> services) { }

    /** Starts an export of the user's data, or answers the one already being built. */
    public Status start(UUID userId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            User user = users.findByIdOptional(userId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE)
                    .filter(u -> u.enabled && u.deletedAt == null)
                    .orElseThrow(() -> ApiException.unauthenticated("This account no longer exists"));
            Optional<Job> building = jobs.newestExport(userId, false);
            if (building.isPresent()) {
                return status(building.get());
            }
            UUID id = UUID.randomUUID();
            Instant now = Stored.now();
            jobs.insert(id, AccountJobRepository.EXPORT, userId, now, config.services());
            for (Map.Entry<String, Object> f : ownFiles(user).entrySet()) {
                byte[] json = json(f.getValue());
                jobs.putFile(id, SELF, f.getKey(), json.length, json, now);
            }
            if (config.services().isEmpty()) {
                jobs.markReady(id, now);
            }
            LOG.infof("export %s of user %s started", id, userId);
            return status(jobs.export(userId, id).orElseThrow());
        });
    }

    public Status status(UUID userId, UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> status(find(userId, id)));
    }

    /** The newest ready export that has not expired, if any; else the one being built (none: empty). */
    public Optional<Status> newest(UUID userId) {
        return QuarkusTransaction.requiringNew().call(() -> jobs.newestExport(userId, true)
                .filter(j -> !expired(j, Instant.now()))
                .or(() -> jobs.newestExport(userId, false))
                .map(this::status));
    }

    /** Writes a ready export as a zip archive, one file at a time (never the whole archive in memory). */
    public void writeArchive(UUID userId, UUID id, OutputStream out) throws IOException {
        Job job = QuarkusTransaction.requiringNew().call(() -> ready(find(userId, id)));
        List<StoredFile> files = QuarkusTransaction.requiringNew().call(() -> jobs.files(id));
        ZipOutputStream zip = new ZipOutputStream(out);
        List<Map<String, Object>> included = new ArrayList<>();
        List<Map<String, Object>> omitted = new ArrayList<>();
        for (StoredFile f : files) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("path", f.service() + "/" + f.name());
            entry.put("bytes", f.sizeBytes());
            byte[] content = f.omitted() ? null
                    : QuarkusTransaction.requiringNew().call(() -> jobs.content(id, f.service(), f.name()));
            if (content == null) {
                omitted.add(entry);
                continue;
            }
            zip.putNextEntry(new ZipEntry(f.service() + "/" + f.name()));
            zip.write(content);
            zip.closeEntry();
            included.add(entry);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("export_id", job.id());
        manifest.put("user_id", job.userId());
        manifest.put("created_at", job.createdAt());
        manifest.put("ready_at", job.readyAt());
        manifest.put("services", QuarkusTransaction.requiringNew().call(() -> jobs.services(id)).keySet());
        manifest.put("files", included);
        manifest.put("omitted", omitted);
        manifest.put("max_bytes", config.exportMaxBytes().asLongValue());
        manifest.put("note", "JSON files of everything Parley holds about the account, one folder per service; no "
                + "secret is ever included. Files listed under \"omitted\" were left out: the export reached max_bytes.");
        zip.putNextEntry(new ZipEntry("manifest.json"));
        zip.write(mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        zip.closeEntry();
        zip.finish();
        zip.flush();
    }

    /** 404 for another user's export (or none), 409 while building, 410 once expired. */
    public void requireReady(UUID userId, UUID id) {
        QuarkusTransaction.requiringNew().call(() -> ready(find(userId, id)));
    }

    /** One file of a service's part (inside the caller's transaction, the job locked). */
    void store(Job job, String service, String name, byte[] json) {
        long size = json.length;
        Optional<Long> existing = jobs.fileSize(job.id(), service, name);
        if (existing.isEmpty() && jobs.fileCount(job.id(), service) >= config.exportMaxFilesPerService()) {
            throw new ApiException(409, "TOO_MANY_FILES", "An export holds at most "
                    + config.exportMaxFilesPerService() + " files per service: put more into each file");
        }
        long others = jobs.storedBytes(job.id()) - existing.orElse(0L);
        boolean fits = others + size <= config.exportMaxBytes().asLongValue();
        jobs.putFile(job.id(), service, name, size, fits ? json : null, Stored.now());
        if (!fits) {
            LOG.warnf("export %s reached %d bytes: %s/%s (%d bytes) left out", job.id(),
                    config.exportMaxBytes().asLongValue(), service, name, size);
        }
    }

    /** Deletes the exports that expired (the cleanup calls it). */
    public int deleteExpired(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> jobs.deleteExportsReadyBefore(now.minus(config.exportTtl())));
    }

    private Job find(UUID userId, UUID id) {
        return jobs.export(userId, id).orElseThrow(() -> ApiException.notFound("EXPORT_NOT_FOUND", "No such export"));
    }

    private Job ready(Job job) {
        if (job.readyAt() == null) {
            throw new ApiException(409, "EXPORT_NOT_READY", "This export is still being built: ask its status again later");
        }
        if (expired(job, Instant.now())) {
            throw new ApiException(410, "EXPORT_EXPIRED", "This export has expired: start a new one");
        }
        return job;
    }

    private boolean expired(Job job, Instant now) {
        return job.readyAt() != null && job.readyAt().plus(config.exportTtl()).isBefore(now);
    }

    private Status status(Job job) {
        Map<String, String> services = new LinkedHashMap<>();
        services.put(SELF, "done");
        jobs.services(job.id()).forEach((service, done) -> services.put(service, done ? "done" : "pending"));
        String state = job.readyAt() == null ? "building" : expired(job, Instant.now()) ? "expired" : "ready";
        return new Status(job.id(), state, job.createdAt(), job.readyAt(), services);
    }

    /** auth-service's part: metadata only, never a password hash, a key, a key's hash or a ciphertext. */
    private Map<String, Object> ownFiles(User u) {
        Map<String, Object> files = new LinkedHashMap<>();
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("id", u.id);
        account.put("username", u.username);
        account.put("email", u.email);
        account.put("roles", List.copyOf(u.roles));
        account.put("enabled", u.enabled);
        account.put("created_at", u.createdAt);
        account.put("updated_at", u.updatedAt);
        files.put("account.json", account);
        files.put("access-keys.json", Map.of("data", accessKeys.list("userId = ?1 order by createdAt, id", u.id).stream()
                .map(k -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", k.id);
                    m.put("name", k.name);
                    m.put("prefix", "pk-" + k.prefix);
                    m.put("allowed_models", List.copyOf(k.allowedModels));
                    m.put("created_at", k.createdAt);
                    m.put("expires_at", k.expiresAt);
                    m.put("revoked_at", k.revokedAt);
                    m.put("last_used_at", k.lastUsedAt);
                    return m;
                }).toList()));
        files.put("provider-keys.json", Map.of("data", providerKeys.ofUser(u.id).stream().map(k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", k.id);
            m.put("provider", k.provider);
            m.put("name", k.name);
            m.put("label", k.label);
            m.put("base_url", k.baseUrl);
            m.put("created_at", k.createdAt);
            m.put("updated_at", k.updatedAt);
            return m;
        }).toList()));
        files.put("login-history.json", Map.of("data", knownLogins.ofUser(u.id).stream()
                .map(r -> Map.of("client_address", r[0],
                        "last_success_at", r[1] instanceof java.sql.Timestamp t ? t.toInstant() : r[1])).toList()));
        return files;
    }

    private byte[] json(Object value) {
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("export file not serialisable", e);
        }
    }
}
