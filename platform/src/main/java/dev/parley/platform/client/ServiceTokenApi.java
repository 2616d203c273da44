package dev.parley.platform.client;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** auth-service's client-credential exchange. Built programmatically by {@link ServiceTokenProvider}. */
@Path("/internal/v1/service-tokens")
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
