package dev.parley.gateway.client;

import java.io.IOException;
import java.util.UUID;

import io.smallrye.faulttolerance.api.ApplyGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * The budget check at usage-service, bounded by {@code parley.gateway.budget.timeout}. Blocking: called off the event
 * loop. No retry and no circuit breaker here: its caller ({@code BudgetGuard}) caches the answers and stops asking
 * for a while after a failure, so retries would only add latency.
 */
@ApplicationScoped
public class BudgetClient {
    /** usage-service's answer: allowed, and when not, which budget. */
    public record Answer(boolean allowed, String reason) { }

    private final BudgetApi api;

    public BudgetClient(@RestClient BudgetApi api) {
        this.api = api;
    }

    /** Throws when usage-service cannot give an answer (unreachable, timeout, non-2xx, not the contract's JSON). */
    @ApplyGuard(ClientGuards.BUDGET_CHECK)
    public Answer check(UUID userId, UUID accessKeyId) throws IOException {
        BudgetApi.Verdict verdict;
        try {
            verdict = api.check(userId, accessKeyId);
        } catch (WebApplicationException e) {
            throw new IOException("usage-service answered HTTP " + e.getResponse().getStatus() + " to the budget check");
        } catch (ProcessingException e) {
            throw new IOException("usage-service unreachable for the budget check", e);
        }
        if (verdict == null || verdict.allowed() == null) {
            throw new IOException("usage-service's budget check answer has no boolean 'allowed'");
        }
        return new Answer(verdict.allowed(), verdict.reason());
    }
}
