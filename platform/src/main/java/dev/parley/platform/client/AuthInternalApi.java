package dev.parley.platform.client;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** auth-service's internal identity endpoints, called with this service's token ({@code quarkus.rest-client.parley-auth.*}). */
@Path("/internal/v1")
@RegisterRestClient(configKey = "parley-auth")
@RegisterProvider(ServiceTokenFilter.class)
interface AuthInternalApi {

    @RegisterForReflection
    record Status(boolean enabled) { }

    @RegisterForReflection
    record VerifyRequest(String key) {
        @Override
        public String toString() {
            return "VerifyRequest[<redacted>]";
        }
    }

    @RegisterForReflection
    record Verified(UUID userId, String username, Set<String> roles, UUID keyId, List<String> allowedModels) { }

    @GET
    @Path("/users/{id}/status")
    @Produces(MediaType.APPLICATION_JSON)
    Status status(@PathParam("id") UUID id);

    @POST
    @Path("/access-keys/verify")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Verified verify(VerifyRequest request);
}
