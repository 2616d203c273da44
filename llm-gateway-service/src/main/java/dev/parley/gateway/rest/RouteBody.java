package dev.parley.gateway.rest;

import java.util.List;
import java.util.Optional;

import dev.parley.gateway.service.UserRouteService;
import dev.parley.gateway.service.UserRoutes;
import dev.parley.platform.json.JsonBody;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/v1/routes} and {@code PUT /api/v1/routes/{id}} (PUT replaces the whole route). */
@JsonBody(rejectUnknown = true)
@Schema(description = "A route: an alias to an ordered fallback chain of models the caller can call.")
public record RouteBody(
        @NotNull(message = "required") @Size(max = 128, message = "at most 128 characters")
        @Schema(required = true, description = "A name with a slash, e.g. my/fast; its first segment is not a provider's or one of your key names")
        String alias,
        @Schema(nullable = true, description = "Free text")
        Optional<@Size(max = 1000, message = "at most 1000 characters") String> description,
        @NotNull(message = "required") @Size(min = 1, max = 10, message = "1 to 10 steps")
        @Schema(required = true, description = "The steps, tried in order (weighted neighbours share traffic)")
        List<@NotNull(message = "required") @Valid StepBody> deployments,
        @Schema(enumeration = {"user", "global"}, description = "global: for everyone (admin only); default user")
        Optional<@Pattern(regexp = "user|global", message = "user or global") String> scope) {

    /** One step: a model the caller can call (not a route), its own timeout, its weight. */
    @JsonBody(rejectUnknown = true)
    @Schema(description = "One step of a route's fallback chain")
    public record StepBody(
            @NotNull(message = "required") @Size(max = 256, message = "at most 256 characters")
            @Schema(required = true, description = "provider/model, e.g. openai/gpt-4o-mini or <your key name>/<model>")
            String model,
            @Schema(nullable = true, description = "ISO-8601 duration: longest silence from the provider, e.g. PT30S")
            Optional<@Size(max = 40, message = "an ISO-8601 duration such as PT30S") String> timeout,
            @Schema(nullable = true, minimum = "1", maximum = "1000", description = "Neighbouring steps with a weight share traffic by it")
            Optional<@Min(value = 1, message = "1 to 1000") @Max(value = 1000, message = "1 to 1000") Integer> weight) { }

    UserRouteService.Draft draft() {
        List<UserRoutes.Step> steps = deployments.stream()
                .map(s -> new UserRoutes.Step(s.model(), opt(s.timeout()), opt(s.weight()))).toList();
        return new UserRouteService.Draft(alias, opt(description), steps, opt(scope));
    }

    private static <T> T opt(Optional<T> o) {
        return o == null ? null : o.orElse(null);
    }
}
