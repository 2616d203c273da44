package dev.parley.usage.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import dev.parley.usage.entity.DailySums;
import dev.parley.usage.entity.MessageCall;
import dev.parley.usage.service.ModelFilter;
import dev.parley.usage.service.Reports;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Usage reports: a user sees their own; an admin any user's ({@code user_id=}) or everyone's ({@code user_id=all}). */
@Authenticated
@Path("/api/v1/usage")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {
    static final Set<String> GROUPS = Set.of("day", "model", "provider", "session");

    private final Reports reports;
    private final CurrentCaller caller;

    public UsageResource(Reports reports, CurrentCaller caller) {
        this.reports = reports;
        this.caller = caller;
    }

    /** Whose usage: the caller's, or for an admin the one named (null = everyone). */
    static UUID subject(Caller c, String userId) {
        UUID self = c.requireUserId();
        if (userId == null || userId.isBlank()) {
            return self;
        }
        if (!c.isAdmin()) {
            if ("all".equals(userId.strip())) {
                throw ApiException.forbidden("Only admins see every user's usage.");
            }
            UUID asked = Params.uuid(userId, "user_id");
            if (self.equals(asked)) {
                return self;
            }
            throw ApiException.forbidden("Only admins see other users' usage.");
        }
        return "all".equals(userId.strip()) ? null : Params.uuid(userId, "user_id");
    }

    @GET
    @Path("/cost-estimation")
    @Operation(summary = "Cost and tokens, filtered (every parameter optional, all time by default), grouped by day, model, provider or session")
    public Map<String, Object> cost(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("session_id") String session,
                                    @QueryParam("provider") String provider, @QueryParam("model") String model,
                                    @QueryParam("group_by") String groupBy, @QueryParam("user_id") String userId) {
        if (groupBy != null && !groupBy.isBlank() && !GROUPS.contains(groupBy)) {
            throw Params.invalid("group_by", "group_by is day, model, provider or session.");
        }
        Reports.Filter f = filter(userId, from, to, session, provider, model);
        String group = groupBy == null || groupBy.isBlank() ? null : groupBy;
        Map<String, DailySums> sums = reports.sums(f, group);
        DailySums total = new DailySums();
        List<Map<String, Object>> breakdown = new ArrayList<>();
        for (Map.Entry<String, DailySums> en : sums.entrySet()) {
            DailySums l = en.getValue();
            total.requests += l.requests;
            total.promptTokens += l.promptTokens;
            total.completionTokens += l.completionTokens;
            total.cost = total.cost.add(l.cost);
            total.unpriced += l.unpriced;
            if (group != null) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put(group, en.getKey().isEmpty() ? null : en.getKey());
                b.put("cost_usd", Params.usd(l.cost));
                b.put("prompt_tokens", l.promptTokens);
                b.put("completion_tokens", l.completionTokens);
                b.put("requests", l.requests);
                b.put("unpriced_requests", l.unpriced);
                breakdown.add(b);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total_cost_usd", Params.usd(total.cost));
        out.put("prompt_tokens", total.promptTokens);
        out.put("completion_tokens", total.completionTokens);
        out.put("requests", total.requests);
        out.put("unpriced_requests", total.unpriced);
        out.put("breakdown", breakdown);
        return out;
    }

    private Reports.Filter filter(String userId, String from, String to, String session, String provider, String model) {
        Instant f = Params.instant(from, "from", false);
        Instant t = Params.instant(to, "to", true);
        if (f != null && t != null && !f.isBefore(t)) {
            throw Params.invalid("to", "to must be after from.");
        }
        return new Reports.Filter(subject(caller.get(), userId), f, t, Params.uuid(session, "session_id"),
                provider == null || provider.isBlank() ? null : provider.strip(), ModelFilter.parse(model));
    }

    @GET
    @Path("/stats")
    @Operation(summary = "By day and model: requests, tokens, cost, mean and p95 latency, error rate (last 30 days by default)")
    public Map<String, Object> stats(@QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("provider") String provider,
                                     @QueryParam("model") String model, @QueryParam("user_id") String userId) {
        String f = from == null || from.isBlank() ? Instant.now().truncatedTo(ChronoUnit.DAYS).minus(29, ChronoUnit.DAYS).toString() : from;
        Reports.Filter filter = filter(userId, f, to, null, provider, model);
        List<Map<String, Object>> data = new ArrayList<>();
        for (Map.Entry<String, DailySums> en : reports.sums(filter, "day_model").entrySet()) {
            String[] k = en.getKey().split("\\|", 2);
            DailySums l = en.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", k[0]);
            m.put("model", k.length > 1 ? k[1] : null);
            m.put("requests", l.requests);
            m.put("prompt_tokens", l.promptTokens);
            m.put("completion_tokens", l.completionTokens);
            m.put("cost_usd", Params.usd(l.cost));
            m.put("unpriced_requests", l.unpriced);
            m.put("mean_latency_ms", l.requests == 0 ? null : Math.round((double) l.latencySum / l.requests));
            m.put("p95_latency_ms", l.p95());
            m.put("error_rate", l.requests == 0 ? 0.0 : Math.round(10000.0 * l.errors / l.requests) / 10000.0);
            data.add(m);
        }
        return Map.of("data", data);
    }

    @GET
    @Path("/messages/{message_id}")
    @Operation(summary = "The LLM calls made for one message (a turn and its retries), with their cost")
    public Map<String, Object> message(@PathParam("message_id") String messageId) {
        UUID id = Params.pathId(messageId, "MESSAGE_NOT_FOUND", "No usage for that message.");
        Caller c = caller.get();
        List<MessageCall> calls = reports.message(c.isAdmin() ? null : c.requireUserId(), id);
        if (calls.isEmpty()) {
            throw ApiException.notFound("MESSAGE_NOT_FOUND", "No usage for that message.");
        }
        BigDecimal total = BigDecimal.ZERO;
        boolean unpriced = false;
        for (MessageCall call : calls) {
            if (call.costUsd() == null) {
                unpriced = true;
            } else {
                total = total.add(call.costUsd());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message_id", id);
        out.put("total_cost_usd", Params.usd(total));
        out.put("unpriced", unpriced);
        out.put("data", calls);
        return out;
    }
}
