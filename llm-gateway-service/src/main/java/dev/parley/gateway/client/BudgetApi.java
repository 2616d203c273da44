package dev.parley.gateway.client;

import java.util.UUID;

import dev.parley.platform.client.ServiceTokenFilter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** usage-service's {@code GET /internal/v1/budget-check?user_id=&access_key_id=} (the gateway's service token). */
@Path("/internal/v1/budget-check")
@RegisterRestClient(configKey = "parley-usage")
@RegisterProvider(ServiceTokenFilter.class)
interface BudgetApi {

    /** usage-service's answer; {@code allowed} null means it is not the contract's answer. */
    @RegisterForReflection
    record Verdict(Boolean allowed, String reason) { }

    /** {@code access_key_id} is left out when null. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Verdict check(@QueryParam("user_id") UUID userId, @QueryParam("access_key_id") UUID accessKeyId);
}
