package dev.parley.auth.config;

import java.time.Duration;
import java.util.List;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The account's whole life: which services take part in deletions and exports, and the exports' bounds. */
@ConfigMapping(prefix = "parley.account")
public interface AccountConfig {

    /** Every service that keeps user data: each gets every deletion and export as an account job. */
    @WithDefault("session-service,llm-gateway-service,memory-service,usage-service")
    List<String> services();

    /** How long a ready export can be downloaded; the cleanup deletes it afterwards. */
    @WithDefault("P7D")
    Duration exportTtl();

    /** Total size of one export's files; files past it are left out of the archive (its manifest names them). */
    @WithDefault("256M")
    MemorySize exportMaxBytes();

    /** Largest single file a service may upload ({@code PUT /internal/v1/account-jobs/{id}/files}). */
    @WithDefault("8M")
    MemorySize exportFileMaxBytes();

    /** Most files one service may store in one export. */
    @WithDefault("2000")
    int exportMaxFilesPerService();
}
