package dev.parley.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * OpenAI's own API description (a copy of the workplace's {@code shared/openai-openapi/openapi.json}) as a JSON Schema
 * 2020-12 validator, so tests can check that what the gateway sends is exactly what OpenAI would send: whole
 * responses, each stream chunk, errors. Two conversions from the spec's README are applied: OpenAPI 3.0
 * {@code nullable: true} becomes a type union with {@code "null"}, and format assertions are off (the custom
 * {@code unixtime} format is an integer, which {@code type} already checks).
 */
public final class OpenAiSpec {
    private static OpenAiSpec instance;

    private final ObjectNode components;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(false).build();
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final ObjectMapper mapper = new ObjectMapper();

    private OpenAiSpec(JsonNode spec, String source) {
        {
            JsonNode c = spec.get("components");
            if (c == null || !c.has("schemas")) {
                throw new IllegalStateException("not an OpenAPI document with components.schemas: " + source);
            }
            components = (ObjectNode) c.deepCopy();
            nullableToUnion(components);
        }
    }

    /** The copy this module ships ({@code openai/openapi.json}), or the file named by {@code -Dparley.openai.spec}. */
    public static synchronized OpenAiSpec get() {
        if (instance == null) {
            ObjectMapper m = new ObjectMapper();
            String explicit = System.getProperty("parley.openai.spec");
            try {
                if (explicit != null) {
                    instance = new OpenAiSpec(m.readTree(Path.of(explicit).toFile()), explicit);
                } else {
                    try (var in = OpenAiSpec.class.getResourceAsStream("/openai/openapi.json")) {
                        if (in == null) {
                            throw new IllegalStateException("openai/openapi.json is missing from test-support");
                        }
                        instance = new OpenAiSpec(m.readTree(in), "classpath:openai/openapi.json");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read OpenAI's API description", e);
            }
        }
        return instance;
    }

    public boolean hasSchema(String name) {
        return components.get("schemas").has(name);
    }

    /** Every violation of {@code components.schemas.<name>} by {@code json}; empty when it validates. */
    public List<String> violations(String name, JsonNode json) {
        if (!hasSchema(name)) {
            throw new IllegalArgumentException("no schema named " + name + " in the OpenAI spec");
        }
        JsonSchema schema = schemas.computeIfAbsent(name, n -> {
            ObjectNode root = mapper.createObjectNode();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            root.put("$ref", "#/components/schemas/" + n);
            root.set("components", components);
            return factory.getSchema(root, config);
        });
        List<String> out = new ArrayList<>();
        for (ValidationMessage m : schema.validate(json)) {
            out.add(m.getMessage());
        }
        return out;
    }

    public List<String> violations(String name, String json) {
        try {
            return violations(name, mapper.readTree(json));
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }

    /** Fails with every violation listed when {@code json} does not validate against {@code name}. */
    public void assertValid(String name, String json) {
        List<String> v = violations(name, json);
        if (!v.isEmpty()) {
            throw new AssertionError("does not validate against OpenAI's " + name + ": " + v + "\n" + json);
        }
    }

    /**
     * {@code type: X, nullable: true} → {@code type: [X, "null"]} (and {@code null} added to an {@code enum});
     * nullable beside a reference or a combinator → {@code anyOf: [that, {type: null}]}.
     */
    static void nullableToUnion(JsonNode node) {
        if (node instanceof ObjectNode obj) {
            JsonNode nullable = obj.get("nullable");
            if (nullable != null && nullable.asBoolean(false)) {
                JsonNode type = obj.get("type");
                if (type != null && type.isTextual()) {
                    ArrayNode union = obj.arrayNode().add(type.asText()).add("null");
                    obj.set("type", union);
                } else if (type != null && type.isArray()) {
                    ((ArrayNode) type).add("null");
                } else if (obj.has("anyOf") || obj.has("oneOf") || obj.has("$ref") || obj.has("allOf")) {
                    ObjectNode copy = obj.deepCopy();
                    copy.remove("nullable");
                    obj.removeAll();
                    ArrayNode any = obj.putArray("anyOf");
                    any.add(copy);
                    any.addObject().put("type", "null");
                }
                JsonNode values = obj.get("enum");
                if (values instanceof ArrayNode list) {
                    boolean hasNull = false;
                    for (JsonNode v : list) {
                        hasNull |= v.isNull();
                    }
                    if (!hasNull) {
                        list.addNull(); // an enum must list null too, or the type union is useless
                    }
                }
                obj.remove("nullable");
            }
            for (Iterator<JsonNode> it = obj.elements(); it.hasNext(); ) {
                nullableToUnion(it.next());
            }
        } else if (node instanceof ArrayNode arr) {
            for (JsonNode child : arr) {
                nullableToUnion(child);
            }
        }
    }
}
