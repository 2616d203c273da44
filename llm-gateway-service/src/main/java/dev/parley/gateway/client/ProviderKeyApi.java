package dev.parley.gateway.client;

import java.util.UUID;

import dev.parley.platform.client.ServiceTokenFilter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** auth-service's {@code POST /internal/v1/provider-keys/resolve} (the gateway's service identity only). */
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

    @POST
    @Path("/resolve")
    ResolvedKey resolve(ResolveRequest request);
}
