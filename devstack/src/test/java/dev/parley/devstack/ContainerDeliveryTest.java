package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * What this machine can check of the container delivery without a container engine or GraalVM: the Dockerfiles
 * exist, expose the service's port and run as a non-root user; the CI workflow builds, tests and pushes every
 * service, JVM and native, with the image names the Helm chart and k8s/ expect; the chart's appVersion is the build's
 * version (its default image tag).
 */
class ContainerDeliveryTest {
    private static final Path ROOT = HelmChartTest.ROOT;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Integer> PORTS = Map.of("auth-service", 8081, "session-service", 8082,
            "llm-gateway-service", 8083, "memory-service", 8084, "usage-service", 8085);

    @Test
    void everyServiceHasJvmAndNativeDockerfilesThatRunAsNonRoot() throws IOException {
        for (var e : PORTS.entrySet()) {
            for (String variant : List.of("jvm", "native")) {
                Path f = ROOT.resolve(e.getKey()).resolve("src/main/docker/Dockerfile." + variant);
                String text = Files.readString(f);
                assertTrue(text.contains("\nEXPOSE " + e.getValue() + "\n"), f + " exposes " + e.getValue());
                String user = text.lines().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root");
                assertTrue(user.matches("USER [1-9][0-9]*"), f + ": last USER must be a non-root uid, is " + user);
            }
        }
    }

    @Test
    void theWorkflowBuildsTestsAndPushesEveryServiceJvmAndNative() throws IOException {
        JsonNode wf = YAML.readTree(ROOT.resolve(".github/workflows/build.yml").toFile());
        List<String> matrix = new ArrayList<>();
        wf.path("jobs").path("native").path("strategy").path("matrix").path("service").forEach(s -> matrix.add(s.asText()));
        assertEquals(PORTS.keySet().stream().sorted().toList(), matrix.stream().sorted().toList());
        assertEquals(String.join(" ", matrix), wf.path("env").path("SERVICES").asText());
        String nativeSteps = wf.path("jobs").path("native").path("steps").toString();
        assertTrue(nativeSteps.contains("verify -Pnative"), "native executables and their *IT tests");
        assertTrue(nativeSteps.contains("Dockerfile.native") && nativeSteps.contains("-native\\\""), "native image tag");
        String jvmSteps = wf.path("jobs").path("jvm").path("steps").toString();
        assertTrue(jvmSteps.contains("bash .ci/run"), "the jvm job runs what this machine's CI runs");
        assertTrue(jvmSteps.contains("Dockerfile.jvm"));
        // every service has an *IT for the native job to run
        for (String s : PORTS.keySet()) {
            try (var files = Files.walk(ROOT.resolve(s).resolve("src/test/java"))) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().endsWith("IT.java")), s + " has no *IT test");
            }
        }
    }

    @Test
    void theChartsAppVersionIsTheBuildsVersion() throws IOException {
        String version = System.getProperty("parley.version");
        assertNotNull(version, "run through Maven (devstack's surefire passes the project version)");
        JsonNode chart = YAML.readTree(HelmChartTest.CHART.resolve("Chart.yaml").toFile());
        assertEquals(version, chart.path("appVersion").asText(), "deploy/helm/parley/Chart.yaml appVersion");
        for (String s : PORTS.keySet()) {
            assertTrue(Files.readString(ROOT.resolve("k8s").resolve(s + ".yaml")).contains("image: ghcr.io/parley/" + s + ":" + version));
        }
    }
}
