package dev.parley.auth.rest;

import java.util.UUID;

import dev.parley.auth.rest.AccountDtos.AccountJob;
import dev.parley.auth.rest.AccountDtos.AccountJobPage;
import dev.parley.auth.service.AccountJobsService;
import dev.parley.platform.auth.CurrentCaller;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Account jobs as the services see them (platform's {@code AccountJobs}): the calling service is the service token's
 * subject. Never routed by the ingress.
 */
@Path("/internal/v1/account-jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "internal")
public class InternalAccountJobsResource {
    private final AccountJobsService jobs;
    private final CurrentCaller caller;

    public InternalAccountJobsResource(AccountJobsService jobs, CurrentCaller caller) {
        this.jobs = jobs;
        this.caller = caller;
    }

    @GET
    @RolesAllowed("service")
    @Operation(summary = "The account jobs (deletions, exports) the calling service has not reported done, oldest first")
    public AccountJobPage pending(@QueryParam("limit") @DefaultValue("50") int limit) {
        return new AccountJobPage(jobs.pending(service(), limit).stream().map(AccountJob::of).toList());
    }

    @PUT
    @Path("/{id}/files")
    @RolesAllowed("service")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Store one JSON file of the calling service's part of an export (a relative name; the same "
            + "name replaces it; up to 8 MB, 2,000 files per service)")
    public Response file(@PathParam("id") UUID id, @QueryParam("name") String name, byte[] json) {
        jobs.file(service(), id, name, json);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/done")
    @RolesAllowed("service")
    @Operation(summary = "The calling service has done its part of the job (idempotent)")
    public Response done(@PathParam("id") UUID id) {
        jobs.done(service(), id);
        return Response.noContent().build();
    }

    private String service() {
        return caller.get().serviceName();
    }
}
