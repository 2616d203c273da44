package dev.parley.auth.rest;

import java.util.Map;
import java.util.regex.Pattern;

import dev.parley.auth.config.AccountConfig;
import dev.parley.auth.config.AuthConfig;
import dev.parley.platform.http.ErrorWriter;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Request body limits per endpoint. The service's HTTP limit ({@code parley.http.max-body-size}) is raised to let an
 * export file through; this filter, after the platform's, keeps every other endpoint at
 * {@code parley.auth.max-body-size} (1 MB) and the export-file upload at {@code parley.account.export-file-max-bytes},
 * answering 413 {@code PAYLOAD_TOO_LARGE} in the error shape from the declared length alone.
 */
@ApplicationScoped
public class BodyLimits {
    /** After the platform's filter (request id, security headers), before any route reads the body. */
    static final int PRIORITY = 9_000;
    private static final Pattern EXPORT_FILE = Pattern.compile("/internal/v1/account-jobs/[^/]+/files/?");

    private final ErrorWriter errors;
    private final long general;
    private final long exportFile;

    public BodyLimits(ErrorWriter errors, AuthConfig config, AccountConfig account) {
        this.errors = errors;
        this.general = new MemorySizeConverter().convert(config.maxBodySize()).asLongValue();
        this.exportFile = account.exportFileMaxBytes().asLongValue();
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    void handle(RoutingContext rc) {
        String length = rc.request().getHeader("Content-Length");
        if (length != null) {
            long max = EXPORT_FILE.matcher(rc.request().path()).matches() ? exportFile : general;
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1; // the platform's filter has answered already
            }
            if (declared > max) {
                rc.response().putHeader("Connection", "close");
                errors.write(rc, 413, "PAYLOAD_TOO_LARGE", "The request body is too large", Map.of("max_bytes", max));
                return;
            }
        }
        rc.next();
    }
}
