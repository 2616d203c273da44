package dev.parley.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The route table of the Kubernetes Ingress in {@code k8s/ingress.yaml}, and the {@code networking.k8s.io/v1} matching
 * rules: {@code Prefix} matches element by element on {@code /} ({@code /v1} matches {@code /v1} and
 * {@code /v1/models}, not {@code /v10}), {@code Exact} matches the whole path, the longest matching path wins and
 * {@code Exact} beats {@code Prefix} of the same length. What the file uses is all that is supported: anything else
 * (hosts, a default backend, {@code ImplementationSpecific}) is rejected rather than silently routed differently.
 */
public final class IngressRoutes {

    public enum PathType { PREFIX, EXACT }

    /** One {@code spec.rules[].http.paths[]} entry: a path, how it matches, and the Service it goes to. */
    public record Route(String path, PathType type, String service) {

        public Route {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("an Ingress path must start with '/': " + path);
            }
        }

        public static Route prefix(String path, String service) {
            return new Route(path, PathType.PREFIX, service);
        }

        public static Route exact(String path, String service) {
            return new Route(path, PathType.EXACT, service);
        }

        boolean matches(String requestPath) {
            if (type == PathType.EXACT) {
                return path.equals(requestPath);
            }
            List<String> prefix = elements(path);
            List<String> request = elements(requestPath);
            return request.size() >= prefix.size() && request.subList(0, prefix.size()).equals(prefix);
        }

        /** Precedence among matches: the longer path wins (a trailing {@code /} of a Prefix does not count). */
        int length() {
            return type == PathType.PREFIX && path.length() > 1 && path.endsWith("/") ? path.length() - 1 : path.length();
        }
    }

    private final List<Route> routes;

    private IngressRoutes(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    public static IngressRoutes of(List<Route> routes) {
        Set<String> seen = new HashSet<>();
        for (Route route : routes) {
            if (!seen.add(route.type() + " " + route.path())) {
                throw new IllegalArgumentException("duplicate Ingress path " + route.path() + " (" + route.type() + ")");
            }
        }
        return new IngressRoutes(routes);
    }

    public static IngressRoutes load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new LaunchException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses one {@code networking.k8s.io/v1} Ingress document. */
    public static IngressRoutes parse(String yaml) throws IOException {
        JsonNode root = new YAMLMapper().readTree(yaml);
        if (root == null || !"networking.k8s.io/v1".equals(root.path("apiVersion").asText())
                || !"Ingress".equals(root.path("kind").asText())) {
            throw new IllegalArgumentException("expected one document of kind Ingress, apiVersion networking.k8s.io/v1");
        }
        JsonNode spec = root.path("spec");
        if (spec.has("defaultBackend")) {
            throw new IllegalArgumentException("spec.defaultBackend is not supported by the local ingress");
        }
        List<Route> routes = new ArrayList<>();
        for (JsonNode rule : spec.path("rules")) {
            if (rule.hasNonNull("host")) {
                throw new IllegalArgumentException("rules with a host are not supported by the local ingress: "
                        + rule.get("host").asText());
            }
            for (JsonNode entry : rule.path("http").path("paths")) {
                String path = entry.path("path").asText(null);
                String pathType = entry.path("pathType").asText("");
                String service = entry.path("backend").path("service").path("name").asText(null);
                if (path == null || service == null) {
                    throw new IllegalArgumentException("every path needs 'path' and 'backend.service.name': " + entry);
                }
                PathType type = switch (pathType) {
                    case "Prefix" -> PathType.PREFIX;
                    case "Exact" -> PathType.EXACT;
                    default -> throw new IllegalArgumentException("pathType of " + path + " must be Prefix or Exact, not '"
                            + pathType + "'");
                };
                routes.add(new Route(path, type, service));
            }
        }
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("the Ingress has no paths");
        }
        return of(routes);
    }

    public List<Route> routes() {
        return routes;
    }

    /** The route for a (normalized, see {@link #normalizePath}) request path, if any. */
    public Optional<Route> match(String requestPath) {
        Route best = null;
        for (Route route : routes) {
            if (!route.matches(requestPath)) {
                continue;
            }
            if (best == null || route.length() > best.length()
                    || (route.length() == best.length() && route.type() == PathType.EXACT && best.type() == PathType.PREFIX)) {
                best = route;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The path a backend will act on, or empty when the request path must not be routed at all. Dot segments (also
     * percent-encoded ones) are resolved first, so {@code /api/v1/auth/../../../internal/x} is matched, and forwarded,
     * as {@code /internal/x}; a percent-encoded {@code /} or {@code \} is refused (404), as a backend might decode it.
     */
    public static Optional<String> normalizePath(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/") || rawPath.indexOf('\\') >= 0) {
            return Optional.empty();
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
            return Optional.empty();
        }
        String path = rawPath.replace("%2e", ".").replace("%2E", ".");
        String[] segments = path.substring(1).split("/", -1);
        Deque<String> out = new ArrayDeque<>();
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".") || segment.equals("..")) {
                if (segment.equals("..")) {
                    out.pollLast();
                }
                trailingSlash = last;
            } else {
                out.addLast(segment);
            }
        }
        String normalized = "/" + String.join("/", out);
        if (trailingSlash && !normalized.endsWith("/")) {
            normalized += "/";
        }
        return Optional.of(normalized);
    }

    /** The non-empty elements of a path split on {@code /}. */
    static List<String> elements(String path) {
        return Arrays.stream(path.split("/")).filter(e -> !e.isEmpty()).toList();
    }
}
