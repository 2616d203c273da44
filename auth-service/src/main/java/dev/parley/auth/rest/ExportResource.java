package dev.parley.auth.rest;

import java.util.UUID;

import dev.parley.auth.rest.AccountDtos.ExportStatus;
import dev.parley.auth.service.AccountExports;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CallerKind;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Exports of everything Parley holds about the calling user ({@code GET /api/v1/users/me/export} and the account's
 * deletion are in {@link UserResource}: one resource class per path prefix).
 */
@Path("/api/v1/users/me/exports")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "users")
public class ExportResource {
    static final String ZIP = "application/zip";

    private final AccountExports exports;
    private final CurrentCaller caller;

    public ExportResource(AccountExports exports, CurrentCaller caller) {
        this.exports = exports;
        this.caller = caller;
    }

    @POST
    @Authenticated
    @Operation(summary = "Start an export of everything Parley holds about you (or get the one being built)")
    @APIResponse(responseCode = "202", description = "Being built",
            content = @Content(schema = @Schema(implementation = ExportStatus.class)))
    public Response startExport() {
        return Response.accepted(ExportStatus.of(exports.start(login()))).build();
    }

    @GET
    @Path("/{id}")
    @Authenticated
    @Operation(summary = "An export's status: building, ready or expired, and each service's part")
    public ExportStatus export(@PathParam("id") UUID id) {
        return ExportStatus.of(exports.status(login(), id));
    }

    @GET
    @Path("/{id}/archive")
    @Authenticated
    @Produces({ZIP, MediaType.APPLICATION_JSON})
    @Operation(summary = "A ready export as a zip archive of JSON files (409 EXPORT_NOT_READY while building, "
            + "410 EXPORT_EXPIRED)")
    @APIResponse(responseCode = "200", description = "The archive", content = @Content(mediaType = ZIP))
    public Response archive(@PathParam("id") UUID id) {
        UUID user = login();
        exports.requireReady(user, id);
        return archiveResponse(exports, user, id);
    }

    static Response archiveResponse(AccountExports exports, UUID user, UUID id) {
        StreamingOutput body = out -> exports.writeArchive(user, id, out);
        return Response.ok(body, ZIP)
                .header("Content-Disposition", "attachment; filename=\"parley-export-" + id + ".zip\"")
                .build();
    }

    /** The user themselves, logged in: not an access key (a script), not a service acting for them. */
    private UUID login() {
        return ownLogin(caller);
    }

    static UUID ownLogin(CurrentCaller caller) {
        Caller c = caller.get();
        if (c.kind() != CallerKind.USER) {
            throw ApiException.forbidden("Deleting or exporting an account needs the user's own login");
        }
        return c.requireUserId();
    }
}
