package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart in deploy/helm/parley, linted and rendered by Helm itself (helm-java embeds it): with its defaults and
 * with the values files in its ci/ folder. Asserts what an operator relies on in the rendered objects; every rendered
 * object is also written to target/helm-rendered/ for the schema checks ({@link KubernetesObjectsTest}).
 */
class HelmChartTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path CHART = ROOT.resolve("deploy/helm/parley");
    static final Path RENDERED = Path.of("target/helm-rendered").toAbsolutePath();
    /** The Kubernetes version rendered for: the oldest the chart supports (kubeVersion in Chart.yaml) is 1.25. */
    static final String KUBE_VERSION = "1.30.0";
    static final List<String> VALUES_FILES = List.of("default", "external-postgres", "external-dsn", "production",
            "minimal");
    static final Map<String, String> SERVICES = new LinkedHashMap<>();
    static {
        SERVICES.put("auth", "auth-service");
        SERVICES.put("session", "session-service");
        SERVICES.put("gateway", "llm-gateway-service");
        SERVICES.put("memory", "memory-service");
        SERVICES.put("usage", "usage-service");
    }
    /** Refuses a mapping with a key twice (Kubernetes' own decoder does; Jackson would keep the last silently). */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<JsonNode>> CACHE = new ConcurrentHashMap<>();

    /** Renders the chart as release "parley" in namespace "parley" with ci/&lt;values&gt;.yaml ("default": none). */
    static List<JsonNode> render(String values) {
        FakeKubeApi.get();
        return CACHE.computeIfAbsent(values, v -> {
            TemplateCommand t = new Helm(CHART).template().withName("parley").withNamespace("parley").withKubeVersion(KUBE_VERSION);
            if (!v.equals("default")) {
                t = t.withValuesFile(CHART.resolve("ci").resolve(v + ".yaml"));
            }
            String out = t.call();
            try {
                Files.createDirectories(RENDERED);
                Files.writeString(RENDERED.resolve(v + ".yaml"), out);
                return documents(out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (YAMLParser p = (YAMLParser) YAML.getFactory().createParser(yaml)) {
            var it = YAML.readValues(p, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").get(0);
    }

    static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        container.path("env").forEach(e -> out.put(e.path("name").asText(), e));
        return out;
    }

    @Test
    void lintStrictFindsNothing() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
        assertTrue(result.getMessages().stream().noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
                String.join("\n", result.getMessages()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "external-postgres", "external-dsn", "production", "minimal"})
    void everyServiceIsDeployedWithProbesLimitsAndTheHardenedSecurityContext(String values) {
        List<JsonNode> objects = render(values);
        List<JsonNode> deployments = ofKind(objects, "Deployment").stream()
                .filter(d -> SERVICES.containsValue(d.path("metadata").path("labels").path("app.kubernetes.io/name").asText()))
                .toList();
        assertEquals(5, deployments.size(), values);
        for (JsonNode d : deployments) {
            String name = d.path("metadata").path("name").asText();
            JsonNode pod = d.path("spec").path("template").path("spec");
            JsonNode c = container(d);
            assertEquals("/q/health/started", c.path("startupProbe").path("httpGet").path("path").asText(), name);
            assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), name);
            assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), name);
            assertFalse(c.path("resources").path("limits").path("memory").asText().isEmpty(), name);
            assertFalse(c.path("resources").path("requests").path("memory").asText().isEmpty(), name);
            assertFalse(c.path("resources").path("requests").path("cpu").asText().isEmpty(), name);
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), name);
            JsonNode sc = c.path("securityContext");
            assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(), name);
            assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), name);
            assertEquals("[\"ALL\"]", sc.path("capabilities").path("drop").toString(), name);
            assertEquals("RuntimeDefault", sc.path("seccompProfile").path("type").asText(), name);
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), name);
            assertTrue(pod.path("terminationGracePeriodSeconds").asInt() >= 25, name);
            assertTrue(pod.path("volumes").toString().contains("\"name\":\"tmp\",\"emptyDir\""), name);
            assertEquals("/etc/parley/config/application.properties",
                    env(c).get("QUARKUS_CONFIG_LOCATIONS").path("value").asText(), name);
            assertEquals("[\"sleep\",\"5\"]", c.path("lifecycle").path("preStop").path("exec").path("command").toString(),
                    name + ": keeps serving while endpoints drop it");
        }
    }

    @Test
    void theIngressRoutesAreThoseOfK8sIngress() throws IOException {
        JsonNode committed = ManifestsUpToDateTest.documents(ROOT.resolve("k8s/ingress.yaml")).get(0);
        JsonNode rendered = named(render("default"), "Ingress", "parley");
        assertEquals(routes(committed, ""), routes(rendered, "parley-"));
        assertEquals(committed.path("metadata").path("annotations"), rendered.path("metadata").path("annotations"));
        assertEquals("nginx", rendered.path("spec").path("ingressClassName").asText());
        for (String route : routes(rendered, "parley-")) {
            assertFalse(route.startsWith("/internal") || route.startsWith("/q"), route);
        }
    }

    private static Set<String> routes(JsonNode ingress, String prefix) {
        Set<String> out = new TreeSet<>();
        for (JsonNode rule : ingress.path("spec").path("rules")) {
            for (JsonNode p : rule.path("http").path("paths")) {
                String service = p.path("backend").path("service").path("name").asText();
                assertTrue(service.startsWith(prefix), service);
                out.add(p.path("path").asText() + " " + p.path("pathType").asText() + " "
                        + service.substring(prefix.length()) + ":" + p.path("backend").path("service").path("port").path("number").asInt());
            }
        }
        assertEquals(17, out.size(), out.toString());
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "external-postgres", "external-dsn", "production", "minimal"})
    void everyReferenceInsideTheReleaseResolves(String values) {
        List<JsonNode> objects = render(values);
        String secretName = switch (values) {
            case "external-dsn" -> "my-parley-secrets";
            case "external-postgres" -> "parley-secrets-external";
            case "production" -> "parley-prod";
            default -> "parley-secrets";
        };
        boolean ownSecret = secretName.equals("parley-secrets");
        assertEquals(ownSecret ? 1 : 0, ofKind(objects, "Secret").size(), values);
        Set<String> secretKeys = new HashSet<>();
        ofKind(objects, "Secret").forEach(s -> s.path("data").fieldNames().forEachRemaining(secretKeys::add));
        Set<String> configMaps = names(objects, "ConfigMap");
        Set<String> serviceAccounts = names(objects, "ServiceAccount");
        Set<String> services = names(objects, "Service");
        for (JsonNode w : Stream.concat(ofKind(objects, "Deployment").stream(), ofKind(objects, "StatefulSet").stream()).toList()) {
            String name = w.path("metadata").path("name").asText();
            JsonNode pod = w.path("spec").path("template").path("spec");
            assertEquals(w.path("spec").path("selector").path("matchLabels"),
                    filtered(pod.isMissingNode() ? null : w.path("spec").path("template").path("metadata").path("labels"),
                            w.path("spec").path("selector").path("matchLabels")), name + ": selector matches the pod");
            if (pod.has("serviceAccountName")) {
                assertTrue(serviceAccounts.contains(pod.path("serviceAccountName").asText()), name);
            }
            for (JsonNode c : pod.path("containers")) {
                for (JsonNode e : c.path("env")) {
                    JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                    if (ref.isMissingNode() || ref.path("name").asText().equals("vllm")) {
                        continue;
                    }
                    assertEquals(secretName, ref.path("name").asText(), name + " " + e.path("name").asText());
                    if (ownSecret && !ref.path("optional").asBoolean(false)) {
                        assertTrue(secretKeys.contains(ref.path("key").asText()), name + " needs " + ref.path("key"));
                    }
                }
                for (JsonNode f : c.path("envFrom")) {
                    assertTrue(configMaps.contains(f.path("configMapRef").path("name").asText()), name);
                }
            }
            for (JsonNode v : pod.path("volumes")) {
                if (v.has("configMap")) {
                    assertTrue(configMaps.contains(v.path("configMap").path("name").asText()), name);
                }
                if (v.has("secret") && !v.path("name").asText().equals("db-ca")) {
                    assertEquals(secretName, v.path("secret").path("secretName").asText(), name);
                }
            }
        }
        // each Service selects a workload's pods
        for (JsonNode s : ofKind(objects, "Service")) {
            JsonNode selector = s.path("spec").path("selector");
            boolean selects = Stream.concat(ofKind(objects, "Deployment").stream(), ofKind(objects, "StatefulSet").stream())
                    .anyMatch(w -> selector.equals(filtered(w.path("spec").path("template").path("metadata").path("labels"), selector)));
            assertTrue(selects, s.path("metadata").path("name").asText());
        }
        // the services' URLs name rendered Services
        JsonNode config = named(objects, "ConfigMap", "parley-config");
        for (String key : List.of("PARLEY_AUTH_URL", "PARLEY_SESSION_URL", "PARLEY_GATEWAY_URL", "PARLEY_MEMORY_URL",
                "PARLEY_USAGE_URL")) {
            String host = config.path("data").path(key).asText().substring("http://".length());
            assertTrue(services.contains(host), key + " → " + host);
        }
        for (JsonNode hpa : ofKind(objects, "HorizontalPodAutoscaler")) {
            assertTrue(names(objects, "Deployment").contains(hpa.path("spec").path("scaleTargetRef").path("name").asText()));
        }
    }

    private static JsonNode filtered(JsonNode labels, JsonNode selector) {
        var out = JSON.createObjectNode();
        if (labels != null) {
            selector.fieldNames().forEachRemaining(k -> {
                if (labels.has(k)) {
                    out.set(k, labels.get(k));
                }
            });
        }
        return out;
    }

    private static Set<String> names(List<JsonNode> objects, String kind) {
        return ofKind(objects, kind).stream().map(o -> o.path("metadata").path("name").asText()).collect(Collectors.toSet());
    }

    @Test
    void theGeneratedSecretHoldsEveryKeyWithStrongValues() {
        JsonNode secret = named(render("default"), "Secret", "parley-secrets");
        assertEquals("keep", secret.path("metadata").path("annotations").path("helm.sh/resource-policy").asText());
        Set<String> values = new HashSet<>();
        for (String service : SERVICES.values()) {
            String v = decode(secret, service + "-client-secret");
            assertTrue(v.length() >= 32, service);
            values.add(v);
        }
        assertEquals(5, values.size(), "every service has its own client secret");
        String masterKeys = decode(secret, "master-keys").strip();
        assertTrue(masterKeys.startsWith("1:"), "version 1");
        assertEquals(32, Base64.getDecoder().decode(masterKeys.substring(2)).length);
        assertTrue(decode(secret, "admin-password").length() >= 12);
        assertTrue(decode(secret, "postgres-password").length() >= 24);
    }

    private static String decode(JsonNode secret, String key) {
        String b64 = secret.path("data").path(key).asText();
        assertFalse(b64.isEmpty(), key);
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    @Test
    void authServiceGetsEveryServiceClientTheMasterKeysAndTheFirstAdmin() {
        List<JsonNode> objects = render("default");
        JsonNode auth = named(objects, "Deployment", "parley-auth-service");
        Map<String, JsonNode> env = env(container(auth));
        for (String service : SERVICES.values()) {
            JsonNode e = env.get("PARLEY_AUTH_SERVICE_CLIENTS__" + service.toUpperCase().replace('-', '_') + "__");
            assertNotNull(e, service);
            assertEquals(service + "-client-secret", e.path("valueFrom").path("secretKeyRef").path("key").asText());
        }
        assertEquals("/etc/parley/master-keys/master-keys",
                env.get("PARLEY_AUTH_PROVIDER_KEYS_MASTER_KEY_LOCATION").path("value").asText());
        assertEquals("admin", env.get("PARLEY_ADMIN_USERNAME").path("value").asText());
        // the other services get their own client secret only
        for (String service : List.of("session-service", "llm-gateway-service", "memory-service", "usage-service")) {
            Map<String, JsonNode> other = env(container(named(objects, "Deployment", "parley-" + service)));
            assertEquals(service + "-client-secret",
                    other.get("PARLEY_SERVICE_CLIENT_SECRET").path("valueFrom").path("secretKeyRef").path("key").asText());
            assertTrue(other.keySet().stream().noneMatch(k -> k.startsWith("PARLEY_AUTH_SERVICE_CLIENTS")), service);
            assertFalse(other.containsKey("PARLEY_ADMIN_PASSWORD"), service);
        }
        Map<String, JsonNode> gateway = env(container(named(objects, "Deployment", "parley-llm-gateway-service")));
        assertEquals("false", gateway.get("PARLEY_EGRESS_ALLOW_PRIVATE").path("value").asText());
        assertEquals("false", gateway.get("PARLEY_EGRESS_ALLOW_LOOPBACK").path("value").asText());
    }

    @Test
    void theDefaultInstallHasItsOwnPostgresqlWithOneDatabasePerService() {
        List<JsonNode> objects = render("default");
        JsonNode pg = named(objects, "StatefulSet", "parley-postgresql");
        assertEquals("8Gi", pg.path("spec").path("volumeClaimTemplates").get(0).path("spec").path("resources")
                .path("requests").path("storage").asText());
        String init = named(objects, "ConfigMap", "parley-postgresql-init").path("data").path("01-databases.sh").asText();
        assertTrue(init.contains("CREATE ROLE parley LOGIN NOSUPERUSER"), init);
        assertTrue(container(pg).path("args").toString().contains("max_connections=300"));
        Map<String, String> dbs = Map.of("auth", "parley_auth", "session", "parley_session", "gateway", "parley_gateway",
                "memory", "parley_memory", "usage", "parley_usage");
        dbs.forEach((key, db) -> {
            assertTrue(init.contains("CREATE DATABASE " + db + " OWNER parley;"), db);
            String url = env(container(named(objects, "Deployment", "parley-" + SERVICES.get(key))))
                    .get("QUARKUS_DATASOURCE_JDBC_URL").path("value").asText();
            assertEquals("jdbc:postgresql://parley-postgresql:5432/" + db, url);
            assertEquals("parley", env(container(named(objects, "Deployment", "parley-" + SERVICES.get(key))))
                    .get("QUARKUS_DATASOURCE_USERNAME").path("value").asText(), "not the superuser");
        });
        for (String service : SERVICES.values()) {
            // every service's per-address limits and auth's login throttling need the clients' own addresses
            assertEquals("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10",
                    env(container(named(objects, "Deployment", "parley-" + service))).get("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES")
                            .path("value").asText(), service + ": behind the ingress, client addresses come from X-Forwarded-For");
        }
        assertEquals("invite", env(container(named(objects, "Deployment", "parley-auth-service")))
                .get("PARLEY_AUTH_REGISTRATION").path("value").asText(), "a cluster starts with registration by invite");
        assertTrue(ofKind(objects, "HorizontalPodAutoscaler").isEmpty());
        assertTrue(ofKind(objects, "ServiceMonitor").isEmpty(), "no CRD objects by default");
        assertTrue(ofKind(objects, "PrometheusRule").isEmpty(), "no CRD objects by default");
        assertEquals(5, ofKind(objects, "PodDisruptionBudget").size());
        assertEquals("ghcr.io/parley/auth-service:0.1.0-SNAPSHOT",
                container(named(objects, "Deployment", "parley-auth-service")).path("image").asText());
    }

    @Test
    void externalPostgresqlIsOneServerWithOneDatabasePerServiceOrOneUrlPerService() {
        List<JsonNode> server = render("external-postgres");
        assertTrue(ofKind(server, "StatefulSet").isEmpty());
        JsonNode memory = container(named(server, "Deployment", "parley-memory-service"));
        assertEquals("jdbc:postgresql://db.example.com:5433/parley_memory?sslmode=verify-full&sslrootcert=/etc/parley/db-ca/ca.crt",
                env(memory).get("QUARKUS_DATASOURCE_JDBC_URL").path("value").asText());
        assertEquals("parley_app", env(memory).get("QUARKUS_DATASOURCE_USERNAME").path("value").asText());
        assertTrue(memory.path("volumeMounts").toString().contains("/etc/parley/db-ca"), "the CA is mounted");
        // egress to the database only where the operator said it is, on its port
        JsonNode policy = named(server, "NetworkPolicy", "parley-memory-service");
        boolean toDatabase = false;
        for (JsonNode rule : policy.path("spec").path("egress")) {
            if (rule.path("ports").toString().contains("\"port\":5433") && rule.path("to").toString().contains("10.20.0.0/16")) {
                toDatabase = true;
            }
        }
        assertTrue(toDatabase, policy.path("spec").path("egress").toString());

        List<JsonNode> dsn = render("external-dsn");
        assertEquals("jdbc:postgresql://usage-db:5432/usage", env(container(named(dsn, "Deployment", "parley-usage-service")))
                .get("QUARKUS_DATASOURCE_JDBC_URL").path("value").asText());
        assertEquals("redis://parley-redis:6379", env(container(named(dsn, "Deployment", "parley-llm-gateway-service")))
                .get("PARLEY_GATEWAY_RATE_LIMITS_REDIS_URL").path("value").asText());
        assertNotNull(named(dsn, "Deployment", "parley-redis"));
    }

    @Test
    void aProductionInstallAutoscalesRunsNativeImagesAndShipsTheOperatorObjects() throws IOException {
        List<JsonNode> objects = render("production");
        for (String key : List.of("auth", "session", "gateway")) {
            JsonNode d = named(objects, "Deployment", "parley-" + SERVICES.get(key));
            assertFalse(d.path("spec").has("replicas"), key + ": the HPA owns replicas");
            assertEquals("registry.example.com/parley/" + SERVICES.get(key) + ":1.2.3-native", container(d).path("image").asText());
            assertNotNull(named(objects, "HorizontalPodAutoscaler", "parley-" + SERVICES.get(key)));
        }
        JsonNode memory = named(objects, "Deployment", "parley-memory-service");
        assertEquals(2, memory.path("spec").path("replicas").asInt());
        assertEquals("registry.example.com/parley/memory-service:1.2.3", container(memory).path("image").asText(),
                "a per-service variant wins");
        assertEquals("registry-credentials",
                memory.path("spec").path("template").path("spec").path("imagePullSecrets").get(0).path("name").asText());

        JsonNode ingress = named(objects, "Ingress", "parley");
        assertEquals("parley.example.com", ingress.path("spec").path("rules").get(0).path("host").asText());
        assertEquals("parley-tls", ingress.path("spec").path("tls").get(0).path("secretName").asText());
        JsonNode annotations = ingress.path("metadata").path("annotations");
        assertEquals("16m", annotations.path("nginx.ingress.kubernetes.io/proxy-body-size").asText(), "the operator's wins");
        assertEquals("off", annotations.path("nginx.ingress.kubernetes.io/proxy-buffering").asText());
        assertEquals("letsencrypt", annotations.path("cert-manager.io/cluster-issuer").asText());

        // the rule file, whole, as a PrometheusRule; the ServiceMonitor scrapes every service's /q/metrics
        JsonNode rule = named(objects, "PrometheusRule", "parley");
        JsonNode rules = YAML.readTree(ROOT.resolve("deploy/prometheus/parley.rules.yml").toFile());
        assertEquals(rules.path("groups"), rule.path("spec").path("groups"));
        assertEquals("kube-prometheus-stack", rule.path("metadata").path("labels").path("release").asText());
        JsonNode monitor = named(objects, "ServiceMonitor", "parley");
        assertEquals("/q/metrics", monitor.path("spec").path("endpoints").get(0).path("path").asText());
        assertEquals(5, monitor.path("spec").path("selector").path("matchExpressions").get(0).path("values").size());

        // properties (no secrets in them: the vLLM key is an env reference) and extra env reach the gateway
        String props = named(objects, "ConfigMap", "parley-llm-gateway-service-properties").path("data")
                .path("application.properties").asText();
        assertTrue(props.contains("parley.gateway.providers.my-vllm.api-key=${VLLM_API_KEY}"), props);
        Map<String, JsonNode> gatewayEnv = env(container(named(objects, "Deployment", "parley-llm-gateway-service")));
        assertEquals("redis-url", gatewayEnv.get("PARLEY_GATEWAY_RATE_LIMITS_REDIS_URL").path("valueFrom")
                .path("secretKeyRef").path("key").asText());
        assertEquals("internal.example.com", gatewayEnv.get("PARLEY_EGRESS_DENIED_HOSTS").path("value").asText());
        assertNotNull(gatewayEnv.get("VLLM_API_KEY"));
        for (String service : SERVICES.values()) {
            assertEquals("10.0.0.0/8", env(container(named(objects, "Deployment", "parley-" + service)))
                    .get("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES").path("value").asText(), service);
        }
        assertEquals("closed", env(container(named(objects, "Deployment", "parley-auth-service")))
                .get("PARLEY_AUTH_REGISTRATION").path("value").asText());
        assertEquals("https://app.example.com", named(objects, "ConfigMap", "parley-config").path("data")
                .path("QUARKUS_HTTP_CORS_ORIGINS").asText());
        // the gateway may reach the public internet on 443 and the operator's extra peer; the others may not
        String gatewayEgress = named(objects, "NetworkPolicy", "parley-llm-gateway-service").path("spec").path("egress").toString();
        assertTrue(gatewayEgress.contains("\"cidr\":\"0.0.0.0/0\""), gatewayEgress);
        assertTrue(gatewayEgress.contains("169.254.0.0/16"), "metadata addresses excluded");
        assertTrue(gatewayEgress.contains("inference"), gatewayEgress);
        String sessionEgress = named(objects, "NetworkPolicy", "parley-session-service").path("spec").path("egress").toString();
        assertFalse(sessionEgress.contains("0.0.0.0/0"), sessionEgress);
    }

    @Test
    void theDashboardsShipAsSidecarConfigMapsEqualToDeployGrafana() throws IOException {
        List<JsonNode> objects = render("default");
        List<JsonNode> dashboards = ofKind(objects, "ConfigMap").stream()
                .filter(c -> "1".equals(c.path("metadata").path("labels").path("grafana_dashboard").asText()))
                .toList();
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/grafana"))) {
            List<Path> json = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertEquals(json.size(), dashboards.size());
            for (Path p : json) {
                String file = p.getFileName().toString();
                JsonNode cm = dashboards.stream().filter(c -> c.path("data").has(file)).findFirst()
                        .orElseThrow(() -> new AssertionError("no ConfigMap holds " + file));
                assertEquals(JSON.readTree(p.toFile()), JSON.readTree(cm.path("data").path(file).asText()), file);
            }
        }
        assertTrue(ofKind(render("minimal"), "ConfigMap").stream()
                .noneMatch(c -> c.path("metadata").path("labels").has("grafana_dashboard")));
    }

    /** The chart carries copies of the rule file and dashboards (Helm reads files only inside the chart). */
    @Test
    void theChartsCopiesOfRulesAndDashboardsAreCurrent() throws IOException {
        assertEquals(Files.readString(ROOT.resolve("deploy/prometheus/parley.rules.yml")),
                Files.readString(CHART.resolve("files/parley.rules.yml")),
                "deploy/helm/parley/files/parley.rules.yml is stale: run deploy/helm/sync-files.sh");
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/grafana"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                Path copy = CHART.resolve("files/dashboards").resolve(p.getFileName());
                assertTrue(Files.exists(copy), copy + " missing: run deploy/helm/sync-files.sh");
                assertEquals(Files.readString(p), Files.readString(copy), copy + " is stale: run deploy/helm/sync-files.sh");
            }
        }
    }

    @Test
    void wrongValuesFailAtInstallTimeWithAClearMessage() {
        assertRefused(t -> t.set("image.variant", "fat"), "variant");
        assertRefused(t -> t.set("services.auth.replica", "2"), "replica");
        assertRefused(t -> t.set("postgresql.mode", "sqlite"), "mode");
        assertRefused(t -> t.set("services.gateway.autoscaling.enabled", "yes please"), "enabled");
        assertRefused(t -> t.set("postgresql.mode", "external"), "existingSecret");
        assertRefused(t -> t.set("redis.mode", "external"), "existingSecret");
        assertRefused(t -> t.set("postgresql.mode", "external").set("secrets.existingSecret", "mine"),
                "postgresql.external.host");
        assertRefused(t -> t.set("services.session.config.parley\\.http\\.max-body-size", 5), "config");
        assertRefused(t -> t.set("terminationGracePeriodSeconds", "5"), "terminationGracePeriodSeconds");
    }

    @Test
    void anUpgradeKeepsTheSecretsGeneratedAtTheFirstInstall() throws IOException {
        FakeKubeApi api = FakeKubeApi.get();
        String live = """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"parley-secrets","namespace":"upgrade"},"type":"Opaque",
                 "data":{"auth-service-client-secret":"a2VwdC1hdXRo","master-keys":"MTpBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZWEdCa2FHeHdkSGg4PQo=",
                         "admin-password":"a2VwdC1hZG1pbi1wYXNzd29yZA=="}}""";
        api.secrets.put("upgrade/parley-secrets", live);
        String out = new Helm(CHART).template().withName("parley").withNamespace("upgrade").withKubeVersion(KUBE_VERSION).call();
        JsonNode secret = named(documents(out), "Secret", "parley-secrets");
        assertEquals("kept-auth", decode(secret, "auth-service-client-secret"));
        assertEquals("kept-admin-password", decode(secret, "admin-password"));
        assertEquals("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", decode(secret, "master-keys"));
        // keys the live Secret lacks (a chart upgrade that adds one) are generated
        assertTrue(decode(secret, "session-service-client-secret").length() >= 32);
        assertTrue(api.requests.contains("GET /api/v1/namespaces/upgrade/secrets/parley-secrets"), api.requests.toString());
    }

    private static void assertRefused(java.util.function.UnaryOperator<TemplateCommand> values, String mentions) {
        TemplateCommand t = values.apply(new Helm(CHART).template().withName("parley").withNamespace("parley").withKubeVersion(KUBE_VERSION));
        Exception e = assertThrows(Exception.class, t::call, mentions);
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }
}
