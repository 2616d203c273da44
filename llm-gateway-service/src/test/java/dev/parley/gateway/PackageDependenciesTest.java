package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The gateway's packages depend on each other in one direction only: no cycle (read from the sources: every
 * {@code dev.parley.gateway.<package>.<Type>} an import or the code names). {@code openai} (OpenAI's vocabulary) uses
 * nothing else of the gateway, and {@code provider} only {@code openai} and {@code config}, so both can be read and
 * tested alone.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/parley/gateway");
    private static final Pattern REFERENCE = Pattern.compile("dev\\.parley\\.gateway\\.((?:[a-z][a-z0-9]*\\.)*[a-z][a-z0-9]*)\\.[A-Z]");

    @Test
    void thePackagesFormNoCycle() {
        Map<String, Set<String>> graph = packageGraph();
        assertTrue(graph.keySet().containsAll(Set.of("openai", "provider", "service", "client", "rest", "config")), graph.toString());
        assertEquals(List.of(), cycle(graph), "a package cycle in " + graph);
    }

    @Test
    void openAiVocabularyUsesNothingElseOfTheGateway() {
        assertEquals(Set.of(), packageGraph().get("openai"));
    }

    @Test
    void providersUseOnlyTheOpenAiVocabularyAndTheConfiguration() {
        assertTrue(Set.of("openai", "config").containsAll(packageGraph().get("provider")), packageGraph().get("provider").toString());
    }

    @Test
    void theCycleCheckFindsACycle() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));
        assertEquals(List.of("a", "b", "c", "a"), cycle(graph));
        assertEquals(List.of(), cycle(Map.of("a", Set.of("b"), "b", Set.of())));
    }

    /** Package (relative to dev.parley.gateway, dots) → the other gateway packages its sources name. */
    static Map<String, Set<String>> packageGraph() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        deps.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** A cycle in the graph (its first package repeated at the end), or an empty list. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Set<String> done = new TreeSet<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            Deque<String> path = new ArrayDeque<>();
            List<String> found = visit(start, graph, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> graph, Deque<String> path, Set<String> done) {
        if (path.contains(node)) {
            List<String> onPath = new ArrayList<>(path);
            List<String> cycle = new ArrayList<>(onPath.subList(onPath.indexOf(node), onPath.size()));
            cycle.add(node);
            return cycle;
        }
        if (done.contains(node)) {
            return List.of();
        }
        path.addLast(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            List<String> found = visit(next, graph, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.removeLast();
        done.add(node);
        return List.of();
    }
}
