package dev.parley.memory.rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.parley.memory.service.Extraction;
import dev.parley.memory.service.LocalEmbeddings;
import dev.parley.memory.service.MemoryService;
import dev.parley.memory.service.Retrieval;
import dev.parley.memory.service.Summaries;
import dev.parley.platform.error.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
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
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What the other services call (service tokens only, as every {@code /internal/**} path). */
@io.quarkus.security.Authenticated
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalResource {
    private static final Encoding TOKENS = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    static final int CONTEXT_CANDIDATES = 20;

    private final LocalEmbeddings local;
    private final Retrieval retrieval;
    private final MemoryService memories;
    private final Extraction extraction;
    private final Summaries summaries;
    private final dev.parley.memory.config.MemoryConfig config;

    public InternalResource(LocalEmbeddings local, Retrieval retrieval, MemoryService memories, Extraction extraction,
                            Summaries summaries, dev.parley.memory.config.MemoryConfig config) {
        this.summaries = summaries;
        this.local = local;
        this.retrieval = retrieval;
        this.memories = memories;
        this.extraction = extraction;
        this.config = config;
    }

    @POST
    @Path("/embeddings")
    @Operation(summary = "parley/all-minilm-l6-v2 in OpenAI's embeddings shape (input: a string or an array of strings)")
    public Map<String, Object> embeddings(@NotNull(message = "Send {\"model\",\"input\"}.") @Valid Requests.Embeddings body) {
        String model = body.model() == null ? LocalEmbeddings.MODEL : body.model();
        if (!model.equals(LocalEmbeddings.MODEL) && !model.equals("all-minilm-l6-v2")) {
            throw new ApiException(404, "MODEL_NOT_FOUND", "memory-service serves " + LocalEmbeddings.MODEL + " only.");
        }
        JsonNode input = body.input();
        List<String> texts = new ArrayList<>();
        if (input != null && input.isTextual()) {
            texts.add(input.asText());
        } else if (input != null && input.isArray() && !input.isEmpty()) {
            for (JsonNode t : input) {
                if (!t.isTextual()) {
                    throw error("input", "input is a string or an array of strings (token arrays are not supported).");
                }
                texts.add(t.asText());
            }
        } else {
            throw error("input", "input is a string or a non-empty array of strings.");
        }
        if (texts.size() > LocalEmbeddings.MAX_INPUTS) {
            throw error("input", "at most " + LocalEmbeddings.MAX_INPUTS + " inputs per request.");
        }
        String format = body.encodingFormat() == null ? "float" : body.encodingFormat();
        if (!format.equals("float") && !format.equals("base64")) {
            throw error("encoding_format", "encoding_format is float or base64.");
        }
        if (body.dimensions() != null && body.dimensions() != LocalEmbeddings.DIMENSIONS) {
            throw error("dimensions", "this model has " + LocalEmbeddings.DIMENSIONS + " dimensions only.");
        }
        LocalEmbeddings.Result r = local.embed(texts);
        List<Map<String, Object>> data = new ArrayList<>(texts.size());
        for (int i = 0; i < r.vectors().size(); i++) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("object", "embedding");
            d.put("index", i);
            d.put("embedding", format.equals("base64")
                    ? java.util.Base64.getEncoder().encodeToString(dev.parley.memory.service.Vectors.encode(r.vectors().get(i)))
                    : r.vectors().get(i));
            data.add(d);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", data);
        out.put("model", LocalEmbeddings.MODEL);
        out.put("usage", Map.of("prompt_tokens", r.tokens(), "total_tokens", r.tokens()));
        return out;
    }

    private static ApiException error(String field, String message) {
        return MemoryService.invalid(field, message);
    }

    @POST
    @Path("/context")
    @Operation(summary = "The memories to inject into a prompt, formatted, within a token budget: {\"memories\":[{\"id\",\"content\",\"score\"}],"
            + "\"text\",\"tokens\",\"degraded\",\"extraction_model\"}")
    public Response context(@NotNull(message = "Send {\"user_id\",\"session_id\",\"query\",\"token_budget\"}.") @Valid Requests.Context body) {
        String query = body.query() == null ? "" : body.query();
        int budget = body.tokenBudget() == null ? 1000 : body.tokenBudget();
        Retrieval.Result r = retrieval.search(body.userId(), body.sessionId(), query, CONTEXT_CANDIDATES);
        String header = "Relevant things you remember about the user (from earlier conversations):\n";
        int used = TOKENS.countTokens(header);
        StringBuilder text = new StringBuilder(header);
        List<Map<String, Object>> chosen = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        for (Retrieval.Hit h : r.hits()) {
            // importance and recency order the relevant memories; only the query makes one relevant
            // (degraded: any full-text match, the only query-dependent signal left)
            boolean relevant = r.degraded() ? h.text() > 0
                    : h.text() >= config.contextMinTextRank() || h.semantic() >= config.contextMinSimilarity();
            if (!relevant) {
                continue;
            }
            String line = "- " + h.memory().content + "\n";
            int cost = TOKENS.countTokens(line);
            if (used + cost > budget) {
                continue;
            }
            used += cost;
            text.append(line);
            chosen.add(Map.of("id", h.memory().id, "content", h.memory().content, "score", h.score()));
            ids.add(h.memory().id);
        }
        retrieval.used(ids);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("memories", chosen);
        out.put("text", chosen.isEmpty() ? "" : text.toString());
        out.put("tokens", chosen.isEmpty() ? 0 : used);
        out.put("degraded", r.degraded());
        // the operator's model for AUTO extraction (wins over the session's): session-service tells the user at once
        out.put("extraction_model", config.extractionModel().filter(m -> !m.isBlank()).orElse(null));
        return Response.ok(out).header("Server-Timing", r.serverTiming()).build();
    }

    @POST
    @Path("/extract")
    @Operation(summary = "Queue a finished exchange for AUTO extraction: {\"user_id\",\"session_id\",\"message_id\"?,\"model\"?,"
            + "\"messages\":[{\"id\",\"role\",\"content\"}]} → 202 {\"status\":\"queued\"} or {\"status\":\"skipped\",\"reason\"}; "
            + "503 EXTRACTION_BUSY when the queue is full")
    public Response extract(@NotNull(message = "messages is a non-empty array of {id, role, content}.") @Valid Requests.Exchange body) {
        List<Map<String, String>> messages = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        for (Requests.Line m : body.messages()) {
            messages.add(Map.of("role", m.role() == null ? "user" : m.role(), "content", m.content()));
            if (m.id() != null) {
                ids.add(m.id());
            }
        }
        // the reply (the outcome's key): the message named, else the exchange's last
        UUID reply = body.messageId() != null ? body.messageId() : ids.isEmpty() ? null : ids.get(ids.size() - 1);
        Extraction.Submitted s = extraction.submit(new Extraction.Exchange(body.userId(), body.sessionId(), messages, ids, reply,
                body.model()));
        if ("refused".equals(s.status())) {
            throw new ApiException(503, "EXTRACTION_BUSY", "The extraction queue is full; retry later.");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", s.status());
        if (s.reason() != null) {
            out.put("reason", s.reason());
        }
        return Response.accepted(out).build();
    }

    @GET
    @Path("/extractions/{message_id}")
    @Operation(summary = "What became of the extraction of a reply: {\"status\":\"queued|done|failed|skipped\",\"reason\"?,\"model\"?,"
            + "\"attempts\",\"added\",\"updated\",\"updated_at\"}; 404 EXTRACTION_NOT_FOUND when none was handed over")
    public Map<String, Object> extractionOutcome(@PathParam("message_id") String messageId, @QueryParam("user_id") String userId) {
        UUID message;
        UUID user;
        try {
            message = UUID.fromString(messageId);
            user = UUID.fromString(userId == null ? "" : userId);
        } catch (IllegalArgumentException e) {
            throw error("user_id", "The message id and user_id must be UUIDs.");
        }
        return extraction.outcome(user, message).orElseThrow(() -> ApiException.notFound("EXTRACTION_NOT_FOUND",
                "No extraction of that message was handed over.")).view();
    }

    @POST
    @Path("/summaries")
    @Operation(summary = "Summarise a stretch of a conversation into a summary memory of the session (source explicit, related to "
            + "the messages it covers) → 201 with the memory; 409 NOTHING_TO_SUMMARIZE, 503 NO_SUMMARY_MODEL, 502 SUMMARY_FAILED")
    public Response summaries(@NotNull(message = "Send {\"user_id\",\"session_id\",\"messages\"}.") @Valid Requests.Stretch body) {
        List<Summaries.Line> lines = body.messages().stream().map(l -> new Summaries.Line(l.id(), l.role(), l.content())).toList();
        return Response.status(201).entity(Views.MemoryView.of(summaries.summarize(body.userId(), body.sessionId(), lines))).build();
    }

    @DELETE
    @Path("/sessions/{id}")
    @Operation(summary = "Drop a deleted session's memories (idempotent)")
    public Response deleteSession(@PathParam("id") String id, @QueryParam("user_id") String userId) {
        UUID session;
        UUID user;
        try {
            session = UUID.fromString(id);
            user = UUID.fromString(userId == null ? "" : userId);
        } catch (IllegalArgumentException e) {
            throw error("user_id", "The session id and user_id must be UUIDs.");
        }
        memories.deleteSession(user, session);
        return Response.noContent().build();
    }
}
