package dev.parley.gateway.client;

import java.util.List;
import java.util.UUID;

import dev.parley.platform.client.ServiceTokenFilter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * auth-service's {@code POST /internal/v1/provider-keys/resolve} and {@code GET /internal/v1/provider-keys?user_id=}
 * (the names of a user's keys, no secrets; the gateway's service identity only).
 */
@Path("/internal/v1/provider-keys")
@RegisterRestClient(configKey = "parley-auth")
@RegisterProvider(ServiceTokenFilter.class)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface ProviderKeyApi {

    @RegisterForReflection
    record ResolveRequest(UUID userId, String providerKeyName) { }

    @RegisterForReflection
    record ResolvedKey(UUID id, String provider, String name, String baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "ResolvedKey[" + provider + "/" + name + ", <redacted>]";
        }
    }

    /** One of a user's keys as listed: what it is, never the key itself. */
    @RegisterForReflection
    record ListedKey(UUID id, String provider, String name, String baseUrl) { }

    @RegisterForReflection
    record KeyList(List<ListedKey> data) { }

    @GET
    KeyList list(@QueryParam("user_id") UUID userId);

    @POST
    @Path("/resolve")
    ResolvedKey resolve(ResolveRequest request);
}
