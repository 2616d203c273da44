package dev.parley.usage.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.platform.json.JsonBody;
import dev.parley.usage.entity.UsageEvent;
import dev.parley.usage.service.Budgets;
import dev.parley.usage.service.Ingest;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.Authenticated;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What the gateway calls (service tokens only, as every {@code /internal/**} path). */
@Authenticated
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalUsageResource {
    static final int MAX_BATCH = 5000;
    static final Set<String> STATUSES = Set.of("success", "error", "cancelled");
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** Larger counts are a bug upstream, not a call: they would overflow the sums (and no model reads a billion tokens). */
    static final long MAX_TOKENS = 1_000_000_000L;

    private final Ingest ingest;
    private final Budgets budgets;
    private final MeterRegistry registry;

    /**
     * A batch of usage events. The envelope is typed; each event stays a JsonNode on purpose: an event the gateway can
     * never make valid (a negative count, no user, an unknown status, a number where a UUID belongs) must be rejected
     * alone, counted, and the rest of the batch stored, so that it cannot block the gateway's outbox forever. As a
     * typed list, one such event would make the whole body a 400. {@link #parse} checks each one.
     */
    @JsonBody
    public record UsageEvents(
            @NotNull(message = SEND_EVENTS) @Size(max = MAX_BATCH, message = "At most " + MAX_BATCH + " events per batch.")
            List<JsonNode> events) { }

    static final String SEND_EVENTS = "Send {\"events\":[…]}.";

    public InternalUsageResource(Ingest ingest, Budgets budgets, MeterRegistry registry) {
        this.ingest = ingest;
        this.budgets = budgets;
        this.registry = registry;
    }

    @POST
    @Path("/usage-events")
    @Operation(summary = "Store a batch of usage events, each once (idempotent by request_id) → 202 {stored, duplicates, rejected}")
    public Response events(@Valid @NotNull(message = SEND_EVENTS) UsageEvents body) {
        List<JsonNode> list = body.events();
        List<UsageEvent> events = new ArrayList<>(list.size());
        List<Map<String, Object>> rejected = new ArrayList<>();
        for (JsonNode n : list) {
            try {
                events.add(parse(n));
            } catch (IllegalArgumentException e) {
                // an event the gateway can never make valid: dropped (and counted) rather than blocking the batch forever
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("request_id", n.path("request_id").asText(null));
                r.put("reason", e.getMessage());
                rejected.add(r);
                registry.counter("parley_usage_events_rejected_total").increment();
            }
        }
        Ingest.Outcome o = ingest.store(events);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stored", o.stored());
        out.put("duplicates", o.duplicates());
        out.put("rejected", rejected);
        return Response.accepted(out).build();
    }

    static UsageEvent parse(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("an event is a JSON object");
        }
        UUID requestId = uuid(n, "request_id", true);
        Instant at;
        try {
            at = Instant.parse(n.path("occurred_at").asText(""));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("occurred_at must be an ISO-8601 instant");
        }
        if (at.isBefore(EARLIEST) || at.isAfter(Instant.now().plusSeconds(86_400))) {
            throw new IllegalArgumentException("occurred_at is before 2000 or more than a day ahead");
        }
        String provider = text(n, "provider", 64, true);
        String model = text(n, "model", 256, true);
        String status = text(n, "status", 16, true);
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("status is success, error or cancelled");
        }
        Integer ttft = n.hasNonNull("ttft_ms") ? (int) count(n, "ttft_ms", 86_400_000) : null;
        return new UsageEvent(requestId, at, uuid(n, "user_id", true), uuid(n, "access_key_id", false), uuid(n, "session_id", false),
                uuid(n, "message_id", false), provider, model, text(n, "deployment", 300, false), count(n, "prompt_tokens", MAX_TOKENS),
                count(n, "completion_tokens", MAX_TOKENS), count(n, "cached_tokens", MAX_TOKENS),
                count(n, "reasoning_tokens", MAX_TOKENS), count(n, "cache_write_tokens", MAX_TOKENS),
                (int) count(n, "images", 1_000_000), (int) count(n, "latency_ms", 86_400_000), ttft, status,
                n.path("streamed").asBoolean(false));
    }

    private static UUID uuid(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        try {
            return UUID.fromString(v.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be a UUID");
        }
    }

    private static String text(JsonNode n, String field, int max, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || !v.isTextual() || v.asText().isBlank()) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        if (v.asText().length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters");
        }
        return v.asText();
    }

    private static long count(JsonNode n, String field, long max) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > max) {
            throw new IllegalArgumentException(field + " must be a whole number from 0 to " + max);
        }
        return v.asLong();
    }

    @GET
    @Path("/budget-check")
    @Operation(summary = "May this user (and access key) make another call: no hard budget reached → {\"allowed\",\"reason\"}")
    public Map<String, Object> check(@QueryParam("user_id") String userId, @QueryParam("access_key_id") String keyId) {
        UUID user = Params.uuid(userId, "user_id");
        if (user == null) {
            throw Params.invalid("user_id", "user_id is required.");
        }
        Budgets.Check c = budgets.check(user, Params.uuid(keyId, "access_key_id"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("allowed", c.allowed());
        out.put("reason", c.reason());
        return out;
    }
}
