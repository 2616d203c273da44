package dev.parley.platform.client;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * auth-service's client-credential exchange ({@code quarkus.rest-client.parley-auth.*}); the one client without the
 * service-token filter, since it is how the token is obtained.
 */
@Path("/internal/v1/service-tokens")
@RegisterRestClient(configKey = "parley-auth")
interface ServiceTokenApi {

    @RegisterForReflection
    record Credentials(String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Credentials[clientId=" + clientId + ", clientSecret=<redacted>]";
        }
    }

    @RegisterForReflection
    record Token(String accessToken, String tokenType, long expiresIn) {
        @Override
        public String toString() {
            return "Token[<redacted>, expiresIn=" + expiresIn + "]";
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Token exchange(Credentials credentials);
}
