package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every object in k8s/ and every object the Helm chart renders (defaults and each ci/ values file) is a well-formed
 * Kubernetes object: it parses into fabric8's typed model of its kind (a kind fabric8 does not know fails), with no
 * field the model does not have (a misspelt field lands in fabric8's additionalProperties, which this test refuses),
 * and it validates against the Kubernetes OpenAPI schema (types, required fields, patterns) through the npm package
 * kubernetes-models. No API server can run on this machine; this is the offline stand-in for a server-side dry run.
 */
class KubernetesObjectsTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Path> FILES = new ArrayList<>();

    @BeforeAll
    static void renderTheChart() throws IOException {
        try (Stream<Path> k8s = Files.list(HelmChartTest.ROOT.resolve("k8s"))) {
            k8s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(FILES::add);
        }
        for (String values : HelmChartTest.VALUES_FILES) {
            HelmChartTest.render(values);
            FILES.add(HelmChartTest.RENDERED.resolve(values + ".yaml"));
        }
    }

    @Test
    void everyObjectParsesIntoItsFabric8TypeWithoutUnknownFields() throws IOException {
        int objects = 0;
        List<String> problems = new ArrayList<>();
        for (Path file : FILES) {
            List<JsonNode> docs = file.startsWith(HelmChartTest.RENDERED)
                    ? HelmChartTest.documents(Files.readString(file))
                    : ManifestsUpToDateTest.documents(file);
            for (JsonNode doc : docs) {
                objects++;
                String where = HelmChartTest.ROOT.relativize(file) + ": " + doc.path("kind").asText() + " "
                        + doc.path("metadata").path("name").asText();
                KubernetesResource parsed = SERIALIZATION.unmarshal(JSON.writeValueAsString(doc), KubernetesResource.class);
                if (parsed instanceof GenericKubernetesResource || !(parsed instanceof HasMetadata)) {
                    problems.add(where + ": no typed model for " + doc.path("apiVersion").asText());
                    continue;
                }
                unknownFields(parsed, "", problems, where);
            }
        }
        assertTrue(objects > 150, "objects checked: " + objects);
        assertEquals(List.of(), problems);
    }

    @Test
    void aMisspeltFieldIsCaught() {
        String deployment = """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"selector":{},
                 "template":{"spec":{"containers":[{"name":"x","livenessProbe":{"periodSecond":10}}]}}}}""";
        List<String> problems = new ArrayList<>();
        unknownFields(SERIALIZATION.unmarshal(deployment, KubernetesResource.class), "", problems, "x");
        assertEquals(List.of("x: unknown field spec.template.spec.containers[0].livenessProbe.periodSecond"), problems);
    }

    @Test
    void everyObjectValidatesAgainstTheKubernetesSchema() throws Exception {
        String out = NodeChecks.run("validate-k8s.mjs", FILES);
        assertFalse(out.contains("INVALID"), out);
        assertTrue(out.contains(" objects checked, 0 invalid"), out);
    }

    /** Walks fabric8 model objects through their bean getters; additionalProperties holds what the model lacks. */
    private static void unknownFields(Object o, String path, List<String> problems, String where) {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                unknownFields(item, path + "[" + i++ + "]", problems, where);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, problems, where));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        try {
            for (PropertyDescriptor d : Introspector.getBeanInfo(o.getClass(), Object.class).getPropertyDescriptors()) {
                if (d.getReadMethod() == null) {
                    continue;
                }
                Object value = d.getReadMethod().invoke(o);
                String child = path.isEmpty() ? d.getName() : path + "." + d.getName();
                if (d.getName().equals("additionalProperties") && value instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> problems.add(where + ": unknown field " + (path.isEmpty() ? "" : path + ".") + k));
                } else if (!d.getName().equals("class")) {
                    unknownFields(value, child, problems, where);
                }
            }
        } catch (IntrospectionException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }
}
