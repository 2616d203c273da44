package dev.parley.usage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.platform.json.JsonFieldNames;
import dev.parley.platform.json.StrictJson;
import dev.parley.usage.entity.Price;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.hibernate.validator.HibernateValidator;
import org.junit.jupiter.api.Test;

/** The bundled catalogue validates; a file that fails any rule is refused whole. */
class PriceCatalogueTest {
    private final ObjectMapper json = mapper();
    private final PriceCatalogue catalogue = new PriceCatalogue(null, json, validator(json));

    /** The application's ObjectMapper and validator as far as reading a catalogue needs them. */
    static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        new StrictJson().customize(m);
        return m;
    }

    static Validator validator(ObjectMapper m) {
        return Validation.byProvider(HibernateValidator.class).configure().propertyNodeNameProvider(new JsonFieldNames(m))
                .buildValidatorFactory().getValidator();
    }

    private ObjectNode bundled() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(PriceCatalogue.BUNDLED)) {
            return (ObjectNode) json.readTree(in);
        }
    }

    @Test
    void theBundledCatalogueIsValidAndCoversTheThreeProvidersAndParley() throws Exception {
        List<Price> prices = catalogue.parseCatalogue(bundled());
        for (String provider : List.of("openai", "anthropic", "gemini")) {
            assertTrue(prices.stream().filter(p -> p.provider().equals(provider)).count() >= 8, provider);
        }
        assertTrue(prices.stream().anyMatch(p -> p.provider().equals("parley") && p.model().equals("echo")
                && p.inputPerMtok().signum() == 0 && p.outputPerMtok().signum() == 0));
        assertTrue(bundled().path("notes").asText().length() > 50, "the file says where its figures come from");
    }

    @Test
    void aFileThatFailsAnyRuleIsRefused() throws Exception {
        ObjectNode negative = bundled();
        ((ObjectNode) negative.withArray("prices").get(0)).put("input_per_mtok", -1);
        assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(negative));
        ObjectNode unknown = bundled();
        ((ObjectNode) unknown.withArray("prices").get(0)).put("price_per_token", 1);
        assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(unknown));
        ObjectNode few = bundled();
        ArrayNode p = few.withArray("prices");
        while (p.size() > 2) {
            p.remove(0);
        }
        assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(few));
        ObjectNode duplicate = bundled();
        duplicate.withArray("prices").add(duplicate.withArray("prices").get(0).deepCopy());
        assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(duplicate));
        ObjectNode euro = bundled();
        euro.put("currency", "EUR");
        assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(euro));
        ObjectNode huge = bundled();
        ((ObjectNode) huge.withArray("prices").get(0)).put("output_per_mtok", 1e9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(huge));
        assertEquals("output_per_mtok must be from 0 to 10000", e.getMessage());
        ObjectNode undated = bundled();
        ((ObjectNode) undated.withArray("prices").get(0)).remove("effective_from");
        assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(undated));
        ObjectNode extraTop = bundled();
        extraTop.put("discount", 0.5);
        assertThrows(IllegalArgumentException.class, () -> catalogue.parseCatalogue(extraTop));
    }

    private static Price p(long id, String model, String match, String in, String from) {
        return new Price(id, "anthropic", model, match, new java.math.BigDecimal(in), java.math.BigDecimal.ONE, null, null, null, null,
                null, null, null, java.time.Instant.parse(from), null);
    }

    @Test
    void anExactPriceWinsOverAPrefixTheLongestPrefixOverAShorterAndTheNewestInForceApplies() {
        catalogue.use(List.of(
                p(1, "claude-x", Price.PREFIX, "1", "2025-01-01T00:00:00Z"),
                p(2, "claude-x-2", Price.PREFIX, "2", "2025-01-01T00:00:00Z"),
                p(3, "claude-x-2", Price.PREFIX, "3", "2025-06-01T00:00:00Z"),
                p(4, "claude-x-2-exact", Price.EXACT, "4", "2025-01-01T00:00:00Z"),
                p(5, "claude-x-2-exact", Price.EXACT, "5", "2026-01-01T00:00:00Z")));
        java.time.Instant spring = java.time.Instant.parse("2025-03-01T00:00:00Z");
        java.time.Instant autumn = java.time.Instant.parse("2025-09-01T00:00:00Z");
        assertEquals(1L, catalogue.resolve("anthropic", "claude-x-1-20250101", spring).id(), "the only prefix");
        assertEquals(2L, catalogue.resolve("anthropic", "claude-x-2-20250101", spring).id(), "the longest prefix");
        assertEquals(3L, catalogue.resolve("anthropic", "claude-x-2-20250101", autumn).id(), "the newest in force");
        assertEquals(4L, catalogue.resolve("anthropic", "claude-x-2-exact", autumn).id(), "exact beats prefix; 2026's not yet in force");
        assertEquals(5L, catalogue.resolve("anthropic", "claude-x-2-exact", java.time.Instant.parse("2026-02-01T00:00:00Z")).id());
        assertEquals(null, catalogue.resolve("anthropic", "claude-x", java.time.Instant.parse("2024-01-01T00:00:00Z")), "before any price");
        assertEquals(null, catalogue.resolve("openai", "claude-x-1", autumn), "another provider");
    }
}
