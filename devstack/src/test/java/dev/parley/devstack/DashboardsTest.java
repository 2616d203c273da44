package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana: every dashboard is well-formed Grafana JSON (unique uid, a Prometheus datasource variable, panels
 * with a place and queries); every query is valid PromQL (promtool checks them as recording rules; skipped with the
 * reason when promtool is missing); and every Parley metric a panel or an alert queries is one the code registers.
 */
class DashboardsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DIR = ROOT.resolve("deploy/grafana");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARLEY_METRIC = Pattern.compile("\\bparley_[a-z_]+");

    private static List<Path> dashboards() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> out.add(t.path("expr").asText())));
        return out;
    }

    @Test
    void everyDashboardIsWellFormed() throws IOException {
        List<Path> files = dashboards();
        assertTrue(files.size() >= 3, files.toString());
        Set<String> uids = new HashSet<>();
        for (Path f : files) {
            JsonNode d = JSON.readTree(f.toFile());
            assertTrue(uids.add(d.path("uid").asText()), f + ": a unique uid");
            assertFalse(d.path("title").asText().isEmpty(), f + ": title");
            assertEquals("datasource", d.path("templating").path("list").get(0).path("type").asText(), f + ": datasource variable");
            assertTrue(d.path("panels").size() >= 5, f + ": panels");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.path("panels")) {
                assertTrue(ids.add(p.path("id").asInt()), f + ": unique panel ids");
                assertTrue(p.path("gridPos").path("w").asInt() > 0 && p.path("gridPos").path("h").asInt() > 0, f + ": gridPos");
                assertFalse(p.path("targets").isEmpty(), f + " " + p.path("title").asText() + ": queries");
                for (JsonNode t : p.path("targets")) {
                    assertFalse(t.path("expr").asText().isBlank(), f + ": an empty query");
                    assertEquals("${datasource}", t.path("datasource").path("uid").asText(), f + ": the datasource variable");
                }
            }
        }
    }

    @Test
    void everyParleyMetricQueriedIsRegisteredByTheCode() throws IOException {
        Set<String> queried = new TreeSet<>();
        for (Path f : dashboards()) {
            for (String e : expressions(JSON.readTree(f.toFile()))) {
                Matcher m = PARLEY_METRIC.matcher(e);
                while (m.find()) {
                    queried.add(m.group());
                }
            }
        }
        Matcher m = PARLEY_METRIC.matcher(Files.readString(ROOT.resolve("deploy/prometheus/parley.rules.yml")));
        while (m.find()) {
            queried.add(m.group());
        }
        StringBuilder sources = new StringBuilder();
        try (Stream<Path> s = Files.walk(ROOT)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList()) {
                sources.append(Files.readString(p));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String q : queried) {
            if (q.startsWith("parley_") && q.contains(":")) {
                continue; // a recording rule
            }
            // the name as registered: with or without Prometheus's suffixes (_total, _bucket…) and the base unit
            String base = q.replaceAll("_(total|bucket|count|sum|max)$", "");
            String code = sources.toString();
            if (!Stream.of(q, base, base + "_total", base.replaceAll("_seconds$", "")).anyMatch(v -> code.contains("\"" + v + "\""))) {
                missing.add(q);
            }
        }
        assertTrue(missing.isEmpty(), "queried but registered nowhere in the code: " + missing);
        assertTrue(queried.size() >= 15, queried.toString());
    }

    @Test
    void everyQueryIsValidPromql() throws Exception {
        Path rules = Files.createTempFile("dashboards", ".rules.yml");
        StringBuilder y = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        int n = 0;
        for (Path f : dashboards()) {
            for (String e : expressions(JSON.readTree(f.toFile()))) {
                y.append("      - record: dashboard:query").append(n++).append('\n')
                        .append("        expr: ").append(JSON.writeValueAsString(e.replace("$__rate_interval", "5m"))).append('\n');
            }
        }
        Files.writeString(rules, y.toString());
        Process p;
        try {
            p = new ProcessBuilder("promtool", "check", "rules", rules.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("promtool is not installed (apt-get install prometheus; .ci/run installs it): queries not checked");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("SUCCESS: " + n + " rules found"), out);
        Files.deleteIfExists(rules);
    }

    /** Each dashboard type-checks as @grafana/schema's Dashboard with tsc (unknown properties and wrong types fail). */
    @Test
    void everyDashboardMatchesGrafanasSchema() throws Exception {
        List<Path> files = dashboards();
        String out = NodeChecks.run("check-dashboards.mjs", files);
        assertTrue(out.contains(files.size() + " dashboards match"), out);
    }
}
