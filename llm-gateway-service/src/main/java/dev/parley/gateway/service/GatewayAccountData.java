package dev.parley.gateway.service;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

import dev.parley.gateway.repository.AccountRepository;
import dev.parley.gateway.repository.UserRouteRepository;
import dev.parley.platform.account.AccountData;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The gateway's part of an account's deletion and export. Deleted: the user's routes, idempotency records, request-log rows,
 * rate-limit override (and their name on overrides they set as an admin), the usage events of theirs still waiting in
 * the outbox, and this replica's cached provider keys and routes of theirs. The outbox's events are dropped, not delivered first:
 * usage-service deletes the user's records in the same account job, so an event delivered afterwards would bring
 * back usage of a deleted account (and a budget no longer matters). The rate-limit windows (Redis or in-process)
 * name the user for at most a minute more; other replicas' cached provider keys expire within the cache's TTL (at
 * most 5 minutes), after which auth-service, which deleted the keys, no longer resolves them.
 * Exported: the user's routes, rate limits and request-log rows (prompts and answers, when request logging was on).
 * Idempotency records are not: they are copies of answers kept 24 hours for retries.
 */
@ApplicationScoped
public class GatewayAccountData implements AccountData {
    static final int REQUEST_LOG_ROWS_PER_FILE = 100; // bodies can be large: files stay a few MB

    private final AccountRepository accounts;
    private final ProviderKeys keys;
    private final UserRouteRepository routeRows;
    private final UserRoutes routes;

    public GatewayAccountData(AccountRepository accounts, ProviderKeys keys, UserRouteRepository routeRows,
                              UserRoutes routes) {
        this.accounts = accounts;
        this.keys = keys;
        this.routeRows = routeRows;
        this.routes = routes;
    }

    @Override
    public void delete(UUID userId) {
        try {
            accounts.deleteUser(userId);
        } catch (SQLException e) {
            throw new IllegalStateException("deleting the gateway's data of a user failed", e);
        }
        keys.forget(userId);
        routes.invalidate(userId);
    }

    @Override
    public void export(UUID userId, BiConsumer<String, Object> file) {
        try {
            file.accept("routes.json", Map.of("data", routeRows.listForUser(userId).stream().map(routes::route).toList()));
            file.accept("rate-limits.json", Map.of("data", accounts.rateLimits(userId)));
            long after = 0;
            for (int n = 1; ; n++) {
                List<Map<String, Object>> page = accounts.requestLog(userId, after, REQUEST_LOG_ROWS_PER_FILE);
                if (page.isEmpty()) {
                    return;
                }
                file.accept(String.format("request-log-%04d.json", n), Map.of("data", page));
                if (page.size() < REQUEST_LOG_ROWS_PER_FILE) {
                    return;
                }
                after = ((Number) page.get(page.size() - 1).get("id")).longValue();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("exporting the gateway's data of a user failed", e);
        }
    }
}
