package dev.parley.gateway.client;

import java.io.IOException;
import java.util.List;

import io.smallrye.faulttolerance.api.ApplyGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Delivers batches of usage events to usage-service, bounded by {@code parley.gateway.relay.request-timeout}. The
 * events are already JSON (as stored in the outbox): the batch body is assembled, not re-encoded. No retry here: the
 * relay keeps the batch in the outbox until a 2xx, and tries again with its own backoff.
 */
@ApplicationScoped
public class UsageEventsClient {
    private final UsageEventsApi api;

    public UsageEventsClient(@RestClient UsageEventsApi api) {
        this.api = api;
    }

    /** The HTTP status usage-service answered (a 2xx means every event of the batch is stored); throws when unreachable. */
    @ApplyGuard(ClientGuards.USAGE_EVENTS)
    public int deliver(List<String> eventsJson) throws IOException {
        StringBuilder body = new StringBuilder(eventsJson.size() * 400).append("{\"events\":[");
        for (int i = 0; i < eventsJson.size(); i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append(eventsJson.get(i));
        }
        body.append("]}");
        try (Response response = api.deliver(body.toString())) {
            return response.getStatus();
        } catch (WebApplicationException e) {
            return e.getResponse().getStatus();
        } catch (ProcessingException e) {
            throw new IOException("usage-service unreachable", e);
        }
    }
}
