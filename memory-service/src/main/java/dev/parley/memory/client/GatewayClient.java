package dev.parley.memory.client;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The gateway's {@code /v1/embeddings} for a memory embedding model other than the local one, with memory-service's
 * service token acting for the memory's owner. Embedding a text is safe to repeat: one more attempt after a
 * connection failure, a 5xx or a 401 (the token filter has dropped the refused token, so it goes with a fresh one),
 * and a circuit breaker so a gateway that is down costs writes nothing but the failed call. A refusal (another 4xx:
 * no such model, no provider key for that user) is not retried and does not count against the breaker: it concerns one
 * user's model, not the gateway.
 */
@ApplicationScoped
public class GatewayClient {
    /** The gateway refused the request, or its answer cannot be used: asking again would not help. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final GatewayApi api;

    public GatewayClient(@RestClient GatewayApi api) {
        this.api = api;
    }

    /** The texts' vectors from {@code model}, in order. */
    @Timeout(value = 30, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 1, delay = 0, abortOn = Refused.class)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10, delayUnit = ChronoUnit.SECONDS, skipOn = Refused.class)
    public List<float[]> embed(UUID userId, String model, List<String> texts) {
        GatewayApi.EmbeddingsAnswer answer;
        try {
            answer = api.embeddings(new GatewayApi.EmbeddingsRequest(model, texts), userId.toString());
        } catch (WebApplicationException e) {
            int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
            if (status < 500 && status != 401) {
                throw new Refused("gateway answered " + status + " to /v1/embeddings");
            }
            throw e;
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(null);
        }
        for (GatewayApi.Embedding d : answer.data() == null ? List.<GatewayApi.Embedding>of() : answer.data()) {
            int index = d.index() == null ? -1 : d.index();
            if (index < 0 || index >= out.size() || d.embedding() == null) {
                throw new Refused("the gateway's embeddings answer has an entry that matches no input");
            }
            out.set(index, d.embedding());
        }
        if (out.contains(null)) {
            throw new Refused("the gateway's embeddings answer lacks some inputs");
        }
        return out;
    }
}
