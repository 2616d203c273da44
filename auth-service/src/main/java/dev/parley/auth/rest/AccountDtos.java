package dev.parley.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.auth.repository.AccountJobRepository;
import dev.parley.auth.service.AccountExports;
import dev.parley.platform.json.JsonBody;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of the account's whole life: deletion, exports, and the internal account jobs (snake_case on the wire). */
public final class AccountDtos {
    private AccountDtos() { }

    @JsonBody
    public record DeleteAccountRequest(@NotNull @Size(max = 1024) String password) {
        @Override
        public String toString() {
            return "DeleteAccountRequest[<redacted>]";
        }
    }

    @RegisterForReflection
    public record DeletionStarted(UUID deletionId,
                                  @Schema(enumeration = {"deleting"}) String status) {
        static DeletionStarted of(UUID id) {
            return new DeletionStarted(id, "deleting");
        }
    }

    @RegisterForReflection
    public record ExportStatus(UUID id, @Schema(enumeration = {"building", "ready", "expired"}) String status,
                               Instant createdAt, Instant readyAt,
                               @Schema(description = "each service's part: pending or done") Map<String, String> services) {
        static ExportStatus of(AccountExports.Status s) {
            return new ExportStatus(s.id(), s.status(), s.createdAt(), s.readyAt(), s.services());
        }
    }

    @RegisterForReflection
    public record AccountJob(UUID id, @Schema(enumeration = {"delete", "export"}) String kind, UUID userId,
                             Instant createdAt) {
        static AccountJob of(AccountJobRepository.Job j) {
            return new AccountJob(j.id(), j.kind(), j.userId(), j.createdAt());
        }
    }

    @RegisterForReflection
    public record AccountJobPage(List<AccountJob> data) { }
}
