package dev.parley.auth.rest;

import java.time.Instant;
import java.util.UUID;

import dev.parley.auth.entity.Invite;
import dev.parley.auth.service.InviteService;
import dev.parley.platform.json.JsonBody;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of {@code /api/v1/invites} (snake_case on the wire). */
public final class InviteDtos {
    private InviteDtos() { }

    @JsonBody(rejectUnknown = true) // every field optional: a misspelt one must not pass as the defaults
    public record InviteRequest(
            @Schema(description = "for the admins: who it is for") @Size(max = 200) String note,
            @Schema(description = "registrations it is good for (default 1)")
            @Min(1) @Max(InviteService.MAX_USES) Integer maxUses,
            @Schema(description = "default: 7 days from now (parley.auth.invites.default-ttl)") Instant expiresAt) { }

    /** The one answer that carries the code: creation. */
    @RegisterForReflection
    public record InviteCreated(UUID id, String code, String note, int maxUses, int uses, Instant expiresAt,
                                Instant createdAt, UUID createdBy) {
        static InviteCreated of(Invite i, String code) {
            return new InviteCreated(i.id, code, i.note, i.maxUses, i.uses, i.expiresAt, i.createdAt, i.createdBy);
        }

        @Override
        public String toString() {
            return "InviteCreated[" + id + ", <redacted>]";
        }
    }

    @RegisterForReflection
    public record InviteView(UUID id, String note, int maxUses, int uses, Instant expiresAt, Instant createdAt,
                             UUID createdBy, boolean expired) {
        static InviteView of(Invite i, Instant now) {
            return new InviteView(i.id, i.note, i.maxUses, i.uses, i.expiresAt, i.createdAt, i.createdBy,
                    !i.expiresAt.isAfter(now));
        }
    }
}
