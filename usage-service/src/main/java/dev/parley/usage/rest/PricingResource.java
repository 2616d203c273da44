package dev.parley.usage.rest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.json.JsonBody;
import dev.parley.usage.entity.Price;
import dev.parley.usage.service.ModelFilter;
import dev.parley.usage.service.PriceCatalogue;
import dev.parley.usage.service.PriceEntry;
import dev.parley.usage.service.Recompute;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Admin: the price catalogue. A new price applies from its {@code effective_from}; past costs change only by a recompute. */
@RolesAllowed("admin")
@Path("/api/v1/pricing")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PricingResource {
    static final String SEND_A_PRICE = "Send a price: {\"provider\",\"model\",\"input_per_mtok\",\"output_per_mtok\",…}.";
    private final PriceCatalogue catalogue;
    private final Recompute recompute;
    private final CurrentCaller caller;

    public PricingResource(PriceCatalogue catalogue, Recompute recompute, CurrentCaller caller) {
        this.catalogue = catalogue;
        this.recompute = recompute;
        this.caller = caller;
    }

    /** The period of a recompute: dates (2026-11-30; {@code to} inclusive) or instants ({@code to} exclusive). */
    @JsonBody(rejectUnknown = true)
    public record RecomputeRequest(String from, String to) { }

    static Map<String, Object> view(Price p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("provider", p.provider());
        m.put("model", p.model());
        m.put("match", p.match());
        m.put("input_per_mtok", p.inputPerMtok());
        m.put("output_per_mtok", p.outputPerMtok());
        m.put("cached_input_per_mtok", p.cachedInputPerMtok());
        m.put("cache_write_per_mtok", p.cacheWritePerMtok());
        m.put("reasoning_per_mtok", p.reasoningPerMtok());
        m.put("per_image", p.perImage());
        m.put("long_context_threshold_tokens", p.longContextThresholdTokens());
        m.put("long_context_input_per_mtok", p.longContextInputPerMtok());
        m.put("long_context_output_per_mtok", p.longContextOutputPerMtok());
        m.put("effective_from", p.effectiveFrom());
        m.put("source", p.source());
        return m;
    }

    @GET
    @Operation(summary = "Every price, newest first; ?provider=&model= filters, ?at= shows only what was in force then")
    public Map<String, Object> list(@QueryParam("provider") String providerParam, @QueryParam("model") String modelParam,
                                    @QueryParam("at") String at) {
        Instant when = Params.instant(at, "at", false);
        // provider/model as users name models, or the provider's own model name (prices keep the two apart)
        ModelFilter m = ModelFilter.parse(modelParam);
        String provider = m != null && !m.bare() && providerParam == null
                && catalogue.all().stream().noneMatch(p -> p.model().equals(m.asWritten())) ? m.provider() : providerParam;
        String model = m == null ? null : !m.bare() && m.provider().equals(provider) ? m.model() : m.asWritten();
        List<Map<String, Object>> data;
        if (when != null && provider != null && model != null) {
            Price p = catalogue.resolve(provider, model, when);
            data = p == null ? List.of() : List.of(view(p));
        } else {
            data = catalogue.all().stream()
                    .filter(p -> provider == null || p.provider().equals(provider))
                    .filter(p -> model == null || p.model().equals(model))
                    .filter(p -> when == null || !p.effectiveFrom().isAfter(when))
                    .map(PricingResource::view).toList();
        }
        return Map.of("data", data);
    }

    @POST
    @Operation(summary = "Add a price (effective_from defaults to now)")
    public Response add(@Valid @NotNull(message = SEND_A_PRICE) PriceEntry body) {
        Price p = price(body);
        long id = QuarkusTransaction.requiringNew().call(() -> catalogue.insert(p, caller.get().userId()));
        catalogue.reload();
        return Response.status(201).entity(view(catalogue.byId().get(id))).build();
    }

    @PUT
    @Path("/{id}")
    @Operation(summary = "Change a price's figures (the same provider, model, match and effective_from); recompute to apply it to past events")
    public Map<String, Object> change(@PathParam("id") long id, @Valid @NotNull(message = SEND_A_PRICE) PriceEntry body) {
        Price old = catalogue.byId().get(id);
        if (old == null) {
            throw ApiException.notFound("PRICE_NOT_FOUND", "No such price.");
        }
        Price p = price(body);
        catalogue.update(id, p);
        catalogue.reload();
        return view(catalogue.byId().get(id));
    }

    @POST
    @Path("/recompute")
    @Operation(summary = "Recompute the cost of every event in {\"from\",\"to\"} from the prices now in the catalogue, and the rollups and totals")
    public Map<String, Object> recompute(@NotNull(message = "Send {\"from\",\"to\"}.") RecomputeRequest body) {
        Instant from = Params.instant(body.from(), "from", false);
        Instant to = Params.instant(body.to(), "to", true);
        if (from == null || to == null || !from.isBefore(to)) {
            throw Params.invalid("to", "from and to are required, from before to.");
        }
        Recompute.Result r = recompute.run(from, to);
        return Map.of("events", r.events(), "changed", r.changed(), "from", r.from(), "to", r.to());
    }

    /** The entry's figures as a price; its time is the one thing Bean Validation has not checked. */
    private Price price(PriceEntry body) {
        try {
            return catalogue.price(body);
        } catch (IllegalArgumentException e) {
            throw Params.invalid("effective_from", e.getMessage());
        }
    }
}
