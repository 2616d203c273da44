package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.devstack.IngressRoutes.Route;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

class IngressRoutesTest {

    private static final Path INGRESS_YAML = Path.of("..", "k8s", "ingress.yaml");

    private static final Set<Route> EXPECTED = Set.of(
            Route.exact("/health", "llm-gateway-service"),
            Route.prefix("/api/v1/auth", "auth-service"),
            Route.prefix("/api/v1/users", "auth-service"),
            Route.prefix("/api/v1/access-keys", "auth-service"),
            Route.prefix("/api/v1/provider-keys", "auth-service"),
            Route.prefix("/api/v1/invites", "auth-service"),
            Route.exact("/.well-known/jwks.json", "auth-service"),
            Route.prefix("/api/v1/sessions", "session-service"),
            Route.prefix("/api/v1/messages", "session-service"),
            Route.prefix("/api/v1/llm", "session-service"),
            Route.prefix("/v1", "llm-gateway-service"),
            Route.prefix("/api/v1/rate-limits", "llm-gateway-service"),
            Route.prefix("/api/v1/routes", "llm-gateway-service"),
            Route.prefix("/api/v1/memories", "memory-service"),
            Route.prefix("/api/v1/usage", "usage-service"),
            Route.prefix("/api/v1/budgets", "usage-service"),
            Route.prefix("/api/v1/pricing", "usage-service"));

    private final IngressRoutes routes = IngressRoutes.load(INGRESS_YAML);

    @Test
    void theKubernetesIngressHasExactlyThePublicRoutes() {
        assertEquals(EXPECTED.size(), routes.routes().size(), "no duplicates, nothing extra");
        assertEquals(EXPECTED, new HashSet<>(routes.routes()));
    }

    @Test
    void theKubernetesIngressNeverRoutesInternalOrManagementPaths() {
        for (Route route : routes.routes()) {
            assertFalse(route.path().startsWith("/internal"), route.toString());
            assertFalse(route.path().startsWith("/q"), route.toString());
            assertTrue(Service.byName(route.service()).isPresent(), "unknown service in " + route);
        }
    }

    @Test
    void requestsGoWhereTheIngressSends() {
        assertEquals(Optional.of("llm-gateway-service"), serviceFor("/v1/chat/completions"));
        assertEquals(Optional.of("llm-gateway-service"), serviceFor("/v1"));
        assertEquals(Optional.of("llm-gateway-service"), serviceFor("/v1/"));
        assertEquals(Optional.empty(), serviceFor("/v10"));
        assertEquals(Optional.of("usage-service"), serviceFor("/api/v1/usage/stats"));
        assertEquals(Optional.of("auth-service"), serviceFor("/api/v1/auth/register"));
        assertEquals(Optional.of("auth-service"), serviceFor("/.well-known/jwks.json"));
        assertEquals(Optional.empty(), serviceFor("/.well-known/jwks.jsonx"));
        assertEquals(Optional.empty(), serviceFor("/.well-known/jwks.json/"));
        assertEquals(Optional.empty(), serviceFor("/internal/v1/service-tokens"));
        assertEquals(Optional.empty(), serviceFor("/q/health/ready"));
        assertEquals(Optional.empty(), serviceFor("/api/v1/sessionsX"));
        assertEquals(Optional.of("auth-service"), serviceFor("/api/v1/invites/42"));
        assertEquals(Optional.of("llm-gateway-service"), serviceFor("/api/v1/routes"));
        assertEquals(Optional.empty(), serviceFor("/api/v1/routesX"));
        assertEquals(Optional.of("session-service"), serviceFor("/api/v1/sessions/42/messages"));
        assertEquals(Optional.empty(), serviceFor("/api/v1"));
        assertEquals(Optional.empty(), serviceFor("/"));
    }

    @Test
    void dotSegmentsAndEncodedSlashesCannotReachUnroutedPaths() {
        assertEquals(Optional.empty(), serviceFor("/api/v1/auth/../../../internal/v1/service-tokens"));
        assertEquals(Optional.empty(), serviceFor("/api/v1/auth/%2e%2e/%2E%2E/%2e%2e/q/health"));
        assertEquals(Optional.empty(), serviceFor("/api/v1/auth%2F..%2F..%2Finternal"));
        assertEquals(Optional.empty(), serviceFor("/api/v1/auth/..%5C..%5Cinternal"));
        assertEquals(Optional.of("/internal/x"), IngressRoutes.normalizePath("/api/v1/auth/../../../internal/x"));
        assertEquals(Optional.of("/api/v1/usage/stats"), IngressRoutes.normalizePath("/api/v1/./usage/x/../stats"));
        assertEquals(Optional.of("/v1/"), IngressRoutes.normalizePath("/v1/models/.."));
        assertEquals(Optional.of("/"), IngressRoutes.normalizePath("/../.."));
        assertEquals(Optional.empty(), IngressRoutes.normalizePath("*"));
    }

    @Test
    void longestPathWinsAndExactBeatsPrefixOfTheSameLength() throws Exception {
        IngressRoutes table = IngressRoutes.parse("""
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: t}
                spec:
                  rules:
                    - http:
                        paths:
                          - {path: /a, pathType: Prefix, backend: {service: {name: short, port: {number: 80}}}}
                          - {path: /a/b, pathType: Prefix, backend: {service: {name: prefix, port: {number: 80}}}}
                          - {path: /a/b, pathType: Exact, backend: {service: {name: exact, port: {number: 80}}}}
                          - {path: /c/, pathType: Prefix, backend: {service: {name: slash, port: {name: http}}}}
                """);
        assertEquals("exact", table.match("/a/b").orElseThrow().service());
        assertEquals("prefix", table.match("/a/b/c").orElseThrow().service());
        assertEquals("prefix", table.match("/a/b/").orElseThrow().service());
        assertEquals("short", table.match("/a/bc").orElseThrow().service());
        assertEquals("short", table.match("/a").orElseThrow().service());
        assertEquals("slash", table.match("/c").orElseThrow().service());
        assertEquals("slash", table.match("/c/d").orElseThrow().service());
        assertTrue(table.match("/cd").isEmpty());
        assertTrue(table.match("/b").isEmpty());
    }

    @Test
    void featuresTheLocalIngressCannotHonourAreRejected() {
        String header = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: t}\nspec:\n";
        String backend = "backend: {service: {name: s, port: {number: 80}}}";
        assertThrows(IllegalArgumentException.class, () -> IngressRoutes.parse(header
                + "  rules:\n    - http:\n        paths:\n          - {path: /a, pathType: ImplementationSpecific, " + backend + "}\n"));
        assertThrows(IllegalArgumentException.class, () -> IngressRoutes.parse(header
                + "  rules:\n    - host: example.com\n      http:\n        paths:\n          - {path: /a, pathType: Prefix, " + backend + "}\n"));
        assertThrows(IllegalArgumentException.class, () -> IngressRoutes.parse(header
                + "  defaultBackend: {service: {name: s, port: {number: 80}}}\n  rules:\n    - http:\n        paths:\n"
                + "          - {path: /a, pathType: Prefix, " + backend + "}\n"));
        assertThrows(IllegalArgumentException.class, () -> IngressRoutes.parse(header
                + "  rules:\n    - http:\n        paths:\n          - {path: /a, pathType: Prefix, " + backend + "}\n"
                + "          - {path: /a, pathType: Prefix, " + backend + "}\n"));
        assertThrows(IllegalArgumentException.class, () -> IngressRoutes.parse("apiVersion: v1\nkind: Service\n"));
    }

    private Optional<String> serviceFor(String rawPath) {
        return IngressRoutes.normalizePath(rawPath).flatMap(routes::match).map(Route::service);
    }
}
