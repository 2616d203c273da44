package dev.parley.platform.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.error.BodyErrors;
import org.junit.jupiter.api.Test;

/**
 * The application ObjectMapper's rules ({@link StrictJson}) on request body records, and the one answer to each
 * problem ({@link BodyErrors}).
 */
class StrictJsonTest {
    private final ObjectMapper mapper = mapper();

    /** The application's ObjectMapper as Quarkus builds it, as far as these rules go. */
    static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        new StrictJson().customize(m);
        return m;
    }

    @JsonBody(rejectUnknown = true)
    record Patch(Optional<String> title, Optional<UUID> parentId, JsonNode params, Optional<Double> importance,
                 @com.fasterxml.jackson.annotation.JsonProperty("limits") Limits limits) { }

    @JsonBody(rejectUnknown = true)
    record Limits(BigDecimal softUsd, Long hardUsd, List<Integer> steps, int count) { }

    @JsonBody
    record Lenient(String content, Integer limit) { }

    /** Not a request body: Jackson's own handling. */
    record Answer(Optional<String> value, Double importance, Integer limit) { }

    @Test
    void anOptionalComponentIsNullWhenAbsentEmptyWhenNullAndTheValueOtherwise() throws Exception {
        UUID id = UUID.randomUUID();
        Patch absent = mapper.readValue("{}", Patch.class);
        assertNull(absent.title());
        assertNull(absent.parentId());
        assertNull(absent.params(), "a JsonNode left out is null");
        Patch nulls = mapper.readValue("{\"title\":null,\"parent_id\":null,\"params\":null,\"importance\":null}", Patch.class);
        assertEquals(Optional.empty(), nulls.title());
        assertEquals(Optional.empty(), nulls.parentId());
        assertTrue(nulls.params().isNull(), "a JsonNode sent as null is NullNode");
        assertEquals(Optional.empty(), nulls.importance());
        Patch values = mapper.readValue("{\"title\":\"t\",\"parent_id\":\"" + id + "\",\"importance\":0.5}", Patch.class);
        assertEquals(Optional.of("t"), values.title());
        assertEquals(Optional.of(id), values.parentId());
        assertEquals(Optional.of(0.5), values.importance());
    }

    @Test
    void otherTypesKeepJacksonsHandling() throws Exception {
        Answer a = mapper.readValue("{\"importance\":\"0.8\",\"limit\":5.0,\"extra\":1}", Answer.class);
        assertEquals(Optional.empty(), a.value(), "absent is empty outside request bodies");
        assertEquals(0.8, a.importance(), "what a model writes as \"0.8\" still reads as a number");
        assertEquals(5, a.limit());
    }

    @Test
    void aNumberIsAJsonNumberInARequestBody() throws Exception {
        Patch ok = mapper.readValue("{\"importance\":1,\"limits\":{\"soft_usd\":2.5,\"hard_usd\":3,\"steps\":[1,null],\"count\":4}}", Patch.class);
        assertEquals(Optional.of(1.0), ok.importance());
        assertEquals(new BigDecimal("2.5"), ok.limits().softUsd());
        assertEquals(3L, ok.limits().hardUsd());
        assertEquals(4, ok.limits().count());
    }

    @Test
    void aStringBooleanOrFractionIsNotANumberInARequestBody() {
        for (String body : List.of("{\"limits\":{\"soft_usd\":\"5\"}}", "{\"limits\":{\"hard_usd\":\"5\"}}",
                "{\"limits\":{\"steps\":[1,\"2\"]}}", "{\"limits\":{\"count\":\"3\"}}", "{\"limits\":{\"soft_usd\":\"\"}}",
                "{\"importance\":\"0.5\"}", "{\"importance\":\"NaN\"}", "{\"importance\":true}", "{\"limits\":{\"hard_usd\":1.5}}",
                "{\"limits\":{\"count\":2.0}}", "{\"limits\":{\"soft_usd\":false}}")) {
            assertThrows(MismatchedInputException.class, () -> mapper.readValue(body, Patch.class), body);
        }
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"limit\":\"5\"}", Lenient.class));
        assertEquals(5, assertDoesNotFail("{\"limit\":5}").limit());
    }

    private Lenient assertDoesNotFail(String body) {
        try {
            return mapper.readValue(body, Lenient.class);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }

    @Test
    void textIsTextEverywhere() {
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"content\":5}", Lenient.class));
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"value\":true}", Answer.class));
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"content\":\"hi\"} {}", Lenient.class));
    }

    @Test
    void rejectUnknownRefusesUndeclaredFieldsAtAnyDepthAndTheOthersIgnoreThem() throws Exception {
        UnrecognizedPropertyException top = assertThrows(UnrecognizedPropertyException.class,
                () -> mapper.readValue("{\"titel\":\"typo\"}", Patch.class));
        assertEquals("titel", top.getPropertyName());
        assertThrows(UnrecognizedPropertyException.class, () -> mapper.readValue("{\"limits\":{\"colour\":1}}", Patch.class));
        assertEquals("hi", mapper.readValue("{\"content\":\"hi\",\"extra\":1}", Lenient.class).content());
    }

    @Test
    void eachFieldProblemIsOneVALIDATION_FAILEDNamingTheFieldAsSent() {
        assertAnswer("{\"limits\":{\"colour\":1}}", "VALIDATION_FAILED", Map.of("limits.colour", "unknown field"));
        assertAnswer("{\"title\":5}", "VALIDATION_FAILED", Map.of("title", "wrong type or format"));
        assertAnswer("{\"parent_id\":\"nope\"}", "VALIDATION_FAILED", Map.of("parent_id", "wrong type or format"));
        assertAnswer("{\"limits\":{\"steps\":[1,\"2\"]}}", "VALIDATION_FAILED", Map.of("limits.steps[1]", "wrong type or format"));
        assertAnswer("{\"limits\":\"x\"}", "VALIDATION_FAILED", Map.of("limits", "wrong type or format"));
        assertAnswer("{\"limits\":{\"hard_usd\":99999999999999999999}}", "VALIDATION_FAILED", Map.of("limits.hard_usd", "wrong type or format"));
    }

    @Test
    void aBodyOfTheWrongShapeAtTheTopIsINVALID_JSONAndBrokenJsonMALFORMED_JSON() {
        assertAnswer("[]", "INVALID_JSON", null);
        assertAnswer("\"text\"", "INVALID_JSON", null);
        assertAnswer("{\"title\":\"x\"} {}", "INVALID_JSON", null);
        assertAnswer("{\"limits\":{\"hard_usd\":tru}}", "MALFORMED_JSON", null);
    }

    private void assertAnswer(String body, String code, Map<String, String> fields) {
        ApiException e = answer(body);
        assertEquals(400, e.status(), body);
        assertEquals(code, e.code(), body);
        if (fields != null) {
            assertEquals(Map.of("fields", fields), e.details(), body);
            String field = fields.keySet().iterator().next();
            assertTrue(e.getMessage().contains("'" + field + "'"), "the message names the field: " + e.getMessage());
        } else {
            assertEquals(Map.of(), e.details(), body);
        }
    }

    private ApiException answer(String body) {
        try {
            mapper.readValue(body, Patch.class);
        } catch (JsonMappingException e) {
            return BodyErrors.of(e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return BodyErrors.malformed();
        }
        throw new AssertionError("accepted: " + body);
    }
}
