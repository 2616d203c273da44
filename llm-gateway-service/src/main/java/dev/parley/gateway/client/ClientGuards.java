package dev.parley.gateway.client;

import java.time.temporal.ChronoUnit;

import dev.parley.gateway.config.GatewayConfig;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The fault tolerance of the calls whose bounds an operator sets as durations in {@code parley.gateway.*}: SmallRye
 * guards built from the configuration and applied with {@code @ApplyGuard} (an annotation's {@code @Timeout} value
 * is a constant, and the fault-tolerance configuration keys take plain numbers, so either would change what the
 * documented keys mean). Timeouts only: the callers of both calls decide themselves when to try again.
 */
@ApplicationScoped
public class ClientGuards {
    static final String BUDGET_CHECK = "parley-budget-check";
    static final String USAGE_EVENTS = "parley-usage-events";

    /** {@code parley.gateway.budget.timeout}: the longest a call waits for its budget verdict. */
    @Produces
    @Singleton // the guard itself, not a client proxy: @ApplyGuard accepts nothing else
    @Identifier(BUDGET_CHECK)
    Guard budgetCheck(GatewayConfig config) {
        return Guard.create().withDescription(BUDGET_CHECK)
                .withTimeout().duration(config.budget().timeout().toMillis(), ChronoUnit.MILLIS).done()
                .build();
    }

    /** {@code parley.gateway.relay.request-timeout}: the longest one batch delivery may take. */
    @Produces
    @Singleton // the guard itself, not a client proxy: @ApplyGuard accepts nothing else
    @Identifier(USAGE_EVENTS)
    Guard usageEvents(GatewayConfig config) {
        return Guard.create().withDescription(USAGE_EVENTS)
                .withTimeout().duration(config.relay().requestTimeout().toMillis(), ChronoUnit.MILLIS).done()
                .build();
    }
}
