package dev.parley.platform.account;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.parley.platform.client.ServiceTokenFilter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * auth-service's account jobs, asked for by the other services with their service token (auth-service tells them
 * apart by the token's subject): the jobs this service has not done yet, one file of an export, and "done".
 */
@Path("/internal/v1/account-jobs")
@RegisterRestClient(configKey = "parley-auth")
@RegisterProvider(ServiceTokenFilter.class)
interface AccountJobsApi {

    @RegisterForReflection
    record Job(UUID id, String kind, UUID userId, Instant createdAt) { }

    @RegisterForReflection
    record Page(List<Job> data) { }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Page pending(@QueryParam("limit") int limit);

    /** One file of this service's part of an export (replaces a file of the same name). */
    @PUT
    @Path("/{id}/files")
    @Consumes(MediaType.APPLICATION_JSON)
    void file(@PathParam("id") UUID job, @QueryParam("name") String name, byte[] json);

    @POST
    @Path("/{id}/done")
    void done(@PathParam("id") UUID job);
}
