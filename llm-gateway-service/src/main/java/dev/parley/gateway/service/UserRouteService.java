package dev.parley.gateway.service;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import dev.parley.gateway.config.GatewayConfig;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.repository.UserRouteRepository;
import dev.parley.gateway.repository.UserRouteRepository.AliasTaken;
import dev.parley.gateway.repository.UserRouteRepository.Row;
import dev.parley.gateway.service.UserRoutes.Step;
import dev.parley.gateway.service.UserRoutes.UserRoute;
import dev.parley.platform.auth.Caller;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.http.Uuids;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The routes API's rules (blocking, on a worker thread): who may see and change which route, what an alias and a
 * step may be, the per-user limit. Every write drops this replica's cached routes of that user (or the global ones).
 */
@ApplicationScoped
public class UserRouteService {
    /** Segments of letters, digits and {@code . _ : -}, at least two, separated by slashes. */
    static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*(/[A-Za-z0-9._:-]+)+");
    static final int MAX_STEPS = 10;

    /** A route as written: {@code scope} {@code user} or {@code global}. */
    public record Draft(String alias, String description, List<Step> deployments, String scope) { }

    private final UserRouteRepository repository;
    private final UserRoutes routes;
    private final RouteResolver resolver;
    private final ProviderKeys keys;
    private final GatewayConfig config;

    public UserRouteService(UserRouteRepository repository, UserRoutes routes, RouteResolver resolver, ProviderKeys keys,
                            GatewayConfig config) {
        this.repository = repository;
        this.routes = routes;
        this.resolver = resolver;
        this.keys = keys;
        this.config = config;
    }

    /** The caller's own routes, then the global ones. */
    public List<UserRoute> list(Caller caller) throws SQLException {
        List<UserRoute> out = new ArrayList<>();
        repository.listForUser(owner(caller)).forEach(r -> out.add(routes.route(r)));
        repository.listGlobal().forEach(r -> out.add(routes.route(r)));
        return out;
    }

    /** One route the caller may see (their own or a global one); another user's is a 404 as an unknown one is. */
    public UserRoute get(Caller caller, UUID id) throws SQLException {
        UUID owner = owner(caller);
        return repository.find(id).filter(r -> r.userId() == null || r.userId().equals(owner)).map(routes::route)
                .orElseThrow(UserRouteService::notFound);
    }

    public UserRoute create(Caller caller, Draft draft) throws SQLException {
        UUID owner = owner(caller);
        boolean global = "global".equals(draft.scope());
        if (global && !caller.isAdmin()) {
            throw ApiException.forbidden("Only an admin creates global routes (\"scope\":\"global\").");
        }
        UUID userId = global ? null : owner;
        check(draft, userId);
        if (repository.count(userId) >= config.userRoutes().maxPerUser()) {
            throw ApiException.conflict("ROUTE_LIMIT_REACHED", "At most " + config.userRoutes().maxPerUser()
                    + (global ? " global routes." : " routes per user: delete one first."));
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Row row = new Row(Uuids.v7(), userId, draft.alias(), draft.description(), routes.stepsJson(draft.deployments()), now, now);
        try {
            repository.insert(row);
        } catch (AliasTaken e) {
            throw taken(draft.alias());
        }
        routes.invalidate(userId);
        return routes.route(row);
    }

    public UserRoute update(Caller caller, UUID id, Draft draft) throws SQLException {
        UserRoute existing = writable(caller, id);
        if (draft.scope() != null && !draft.scope().equals(existing.scope())) {
            throw field("scope", "cannot be changed: create a new route", "A route's scope cannot be changed.");
        }
        check(draft, existing.userId());
        Row row = new Row(id, existing.userId(), draft.alias(), draft.description(), routes.stepsJson(draft.deployments()),
                existing.createdAt(), Instant.now().truncatedTo(ChronoUnit.MICROS));
        try {
            if (!repository.update(row)) {
                throw notFound();
            }
        } catch (AliasTaken e) {
            throw taken(draft.alias());
        }
        routes.invalidate(existing.userId());
        return routes.route(row);
    }

    public void delete(Caller caller, UUID id) throws SQLException {
        UserRoute existing = writable(caller, id);
        repository.delete(id);
        routes.invalidate(existing.userId());
    }

    /** A user's own route, or a global one for an admin (another user may see a global route, not change it). */
    private UserRoute writable(Caller caller, UUID id) throws SQLException {
        UserRoute r = get(caller, id);
        if (r.userId() == null && !caller.isAdmin()) {
            throw ApiException.forbidden("Only an admin changes a global route.");
        }
        return r;
    }

    /** The alias rule and the steps' rules (see the README's "Routes users define"). */
    private void check(Draft d, UUID userId) {
        String alias = d.alias();
        if (!ALIAS.matcher(alias).matches() || alias.length() > 128) {
            throw field("alias", "a name with a slash such as my/fast (letters, digits, . _ : -; at most 128 characters)",
                    "The alias must be a name with a slash, such as my/fast.");
        }
        String prefix = alias.substring(0, alias.indexOf('/'));
        if (config.routes().containsKey(alias)) {
            throw field("alias", "the operator has a route of that name (it would win): choose another alias",
                    "The operator already defines a route named '" + alias + "'.");
        }
        if (resolver.reservedPrefix(prefix)) {
            throw field("alias", "'" + prefix + "' is a provider's name: choose another first segment",
                    "The alias may not start with a provider's name ('" + prefix + "/').");
        }
        if (userId != null && join(keys.find(userId, prefix)).isPresent()) {
            throw field("alias", "'" + prefix + "' is the name of one of your provider keys: choose another first segment",
                    "The alias may not start with the name of one of your provider keys ('" + prefix + "/').");
        }
        List<Step> steps = d.deployments();
        if (steps.isEmpty() || steps.size() > MAX_STEPS) {
            throw field("deployments", "1 to " + MAX_STEPS + " steps", "A route has 1 to " + MAX_STEPS + " deployments.");
        }
        Duration deadline = config.upstream().requestDeadline();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            String at = "deployments[" + i + "]";
            checkTimeout(s.timeout(), at + ".timeout", deadline);
            checkModel(s.model(), at + ".model", alias, userId);
        }
    }

    private static void checkTimeout(String timeout, String name, Duration deadline) {
        if (timeout == null) {
            return;
        }
        try {
            Duration t = Duration.parse(timeout);
            if (t.isNegative() || t.isZero() || t.compareTo(deadline) > 0) {
                throw field(name, "a positive ISO-8601 duration of at most " + deadline, "A step's timeout is out of range.");
            }
        } catch (DateTimeParseException e) {
            throw field(name, "an ISO-8601 duration such as PT30S", "A step's timeout must be an ISO-8601 duration.");
        }
    }

    /** A model the user can call: provider/model, not a route; for a user's route, resolvable with their keys now. */
    private void checkModel(String model, String name, String alias, UUID userId) {
        int slash = model.indexOf('/');
        if (slash <= 0 || slash == model.length() - 1 || model.length() > 256 || model.isBlank()) {
            throw field(name, "a model named provider/model, e.g. openai/gpt-4o-mini", "A step names a model as provider/model.");
        }
        if (model.equals(alias) || config.routes().containsKey(model)
                || (!resolver.reservedPrefix(model.substring(0, slash)) && join(routes.find(userId, model)).isPresent())) {
            throw field(name, "a model, not another route", "A step names a model, not another route.");
        }
        if (userId == null) {
            return; // a global route's steps use each caller's own keys: checked when called
        }
        try {
            join(resolver.resolve(model, userId));
        } catch (OpenAiException e) {
            throw field(name, e.getMessage(), "A step names a model you cannot call: " + e.getMessage());
        }
    }

    private static <T> T join(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OpenAiException o && o.status() >= 500) {
                throw new ApiException(503, "SERVICE_UNAVAILABLE", "The route cannot be checked right now; retry shortly.");
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "SERVICE_UNAVAILABLE", "The route cannot be checked right now; retry shortly.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static UUID owner(Caller caller) {
        if (caller.isService()) {
            throw ApiException.forbidden("Routes are managed by their owner.");
        }
        return caller.requireUserId();
    }

    private static ApiException notFound() {
        return ApiException.notFound("ROUTE_NOT_FOUND", "No such route.");
    }

    private static ApiException taken(String alias) {
        return ApiException.conflict("ROUTE_ALIAS_TAKEN", "A route named '" + alias + "' already exists.");
    }

    private static ApiException field(String name, String reason, String message) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(name, reason);
        return new ApiException(400, "VALIDATION_FAILED", message, Map.of("fields", fields));
    }
}
