package dev.parley.gateway.client;

import dev.parley.platform.client.ServiceTokenFilter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** usage-service's {@code POST /internal/v1/usage-events} (the gateway's service token). */
@Path("/internal/v1/usage-events")
@RegisterRestClient(configKey = "parley-usage")
@RegisterProvider(ServiceTokenFilter.class)
interface UsageEventsApi {

    /** {@code batch}: the JSON body {@code {"events":[…]}}, already assembled (sent as it is). */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Response deliver(String batch);
}
