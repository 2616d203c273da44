package dev.parley.session.client;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.platform.client.ServiceTokenFilter;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** memory-service's internal API ({@code quarkus.rest-client.parley-memory.*}), called with this service's token. */
@Path("/internal/v1")
@RegisterRestClient(configKey = "parley-memory")
@RegisterProvider(ServiceTokenFilter.class)
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
interface MemoryApi {

    record ContextRequest(UUID userId, UUID sessionId, String query, int tokenBudget) { }

    record Remembered(String id, String content, double score) { }

    /** {@code extraction_model}: the model memory-service's operator set for AUTO extraction (null: the session's is used). */
    record ContextAnswer(List<Remembered> memories, String text, String extractionModel) { }

    /** {@code message_id}: the reply, the key of the extraction's outcome; {@code model}: the turn's, unless memory-service sets one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ExtractRequest(UUID userId, UUID sessionId, UUID messageId, String model, List<Map<String, Object>> messages) { }

    /** One message of a stretch to summarise. */
    record Line(UUID id, String role, String content) { }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SummaryRequest(UUID userId, UUID sessionId, List<Line> messages, UUID fromMessageId, UUID toMessageId) { }

    /** memory-service answered with an error (its error shape: {@code code} and {@code message} when it had them). */
    final class Refused extends RuntimeException {
        final int status;
        final String code;

        Refused(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    @POST
    @Path("/context")
    ContextAnswer context(ContextRequest request);

    @POST
    @Path("/extract")
    void extract(ExtractRequest request);

    /** The outcome of the extraction of a reply ({@code status}, {@code reason}?, …); 404 while memory-service has not had it. */
    @GET
    @Path("/extractions/{message_id}")
    Map<String, Object> extraction(@PathParam("message_id") UUID messageId, @QueryParam("user_id") UUID userId);

    @DELETE
    @Path("/sessions/{id}")
    void deleteSession(@PathParam("id") UUID sessionId, @QueryParam("user_id") UUID userId);

    @POST
    @Path("/summaries")
    SummaryMemory summarize(SummaryRequest request);

    @ClientExceptionMapper
    static Refused refused(Response response) {
        String code = null;
        String message = null;
        try {
            JsonNode err = response.readEntity(JsonNode.class).path("error");
            code = err.hasNonNull("code") ? err.get("code").asText() : null;
            message = err.hasNonNull("message") ? err.get("message").asText() : null;
        } catch (RuntimeException e) {
            // not Parley's error shape
        }
        return new Refused(response.getStatus(), code, message);
    }
}
