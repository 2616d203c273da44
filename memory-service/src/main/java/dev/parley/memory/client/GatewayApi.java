package dev.parley.memory.client;

import java.util.List;

import dev.parley.platform.client.ServiceTokenFilter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The gateway's OpenAI-compatible embeddings ({@code quarkus.rest-client.parley-gateway.*}), acting for a user. */
@Path("/v1")
@RegisterRestClient(configKey = "parley-gateway")
@RegisterProvider(ServiceTokenFilter.class)
interface GatewayApi {

    record EmbeddingsRequest(String model, List<String> input) { }

    record Embedding(Integer index, float[] embedding) { }

    record EmbeddingsAnswer(List<Embedding> data) { }

    @POST
    @Path("/embeddings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    EmbeddingsAnswer embeddings(EmbeddingsRequest request, @HeaderParam("X-Parley-User") String userId);
}
