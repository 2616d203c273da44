import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live check of the dashboards and alert rules against a running Prometheus that scrapes the services: every metric
 * a dashboard panel or an alert rule queries must exist there. Metrics that come from outside Parley
 * (kube-state-metrics' kube_*) and recording rules (level:metric:operation names, covered by promtool's rule tests)
 * are listed but not required. A single-file program (JDK only), run by .ci/smoke:
 *   java deploy/prometheus/LiveMetricsCheck.java http://127.0.0.1:19090 deploy/grafana/*.json deploy/prometheus/parley.rules.yml
 */
public class LiveMetricsCheck {
    private static final Pattern JSON_EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern YAML_EXPR = Pattern.compile("^\\s*expr:\\s*(.+)$", Pattern.MULTILINE);
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /**
     * Counters whose labels only exist with their first event (a deployment's name, an unpriced event's model): the
     * services cannot register them at zero in advance, and the smoke's traffic does not provoke them.
     */
    private static final java.util.Map<String, String> EVENT_ONLY = java.util.Map.of(
            "parley_gateway_circuit_opened_total", "labelled by deployment, appears when a circuit first opens",
            "parley_gateway_fallbacks_total", "labelled by deployment, appears with the first fallback",
            "parley_usage_unpriced_events_total", "labelled by provider and model, appears with the first unpriced event");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");

    public static void main(String[] args) throws Exception {
        String prometheus = args[0];
        Set<String> wanted = new TreeSet<>();
        for (int i = 1; i < args.length; i++) {
            String text = Files.readString(Path.of(args[i]));
            List<String> exprs = new ArrayList<>();
            Matcher m = (args[i].endsWith(".json") ? JSON_EXPR : YAML_EXPR).matcher(text);
            while (m.find()) {
                exprs.add(args[i].endsWith(".json") ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : m.group(1));
            }
            for (String e : exprs) {
                wanted.addAll(metricNames(e));
            }
        }
        System.out.println("== metrics queried: " + wanted);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String body = http.send(HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/label/__name__/values"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> present = new TreeSet<>();
        Matcher n = Pattern.compile("\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"").matcher(body.substring(body.indexOf("\"data\"")));
        while (n.find()) {
            present.add(n.group(1));
        }
        Set<String> missing = new TreeSet<>();
        Set<String> external = new TreeSet<>();
        for (String w : wanted) {
            if (w.startsWith("kube_") || w.contains(":")) {
                external.add(w);
            } else if (EVENT_ONLY.containsKey(w) && !present.contains(w)) {
                System.out.println("== metrics: " + w + " not there yet (" + EVENT_ONLY.get(w) + ")");
            } else if (!present.contains(w)) {
                missing.add(w);
            }
        }
        System.out.printf("== metrics: %d queried by the dashboards and rules, %d scraped from the services%n",
                wanted.size(), present.size());
        if (!external.isEmpty()) {
            System.out.println("== metrics: not required here (kube-state-metrics' on a cluster; recording rules, tested by promtool): " + external);
        }
        if (!missing.isEmpty()) {
            System.out.println("== metrics: MISSING on the live services: " + missing);
            System.exit(1);
        }
        System.out.println("== metrics: every queried metric exists on the live services");
    }

    /** The metric names an expression selects: label matchers, ranges, groupings, strings and functions removed. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = NAME.matcher(e);
        while (m.find()) {
            String token = m.group();
            int after = m.end();
            while (after < e.length() && Character.isWhitespace(e.charAt(after))) {
                after++;
            }
            boolean function = after < e.length() && e.charAt(after) == '(';
            boolean number = m.start() > 0 && (Character.isDigit(e.charAt(m.start() - 1)) || e.charAt(m.start() - 1) == '.');
            if (!function && !number && !KEYWORDS.contains(token.toLowerCase())) {
                out.add(token);
            }
        }
        return out;
    }
}
