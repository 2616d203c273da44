package dev.parley.usage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The bundled catalogue validates; a file that fails any rule is refused whole. */
class PriceCatalogueTest {
    private final ObjectMapper json = new ObjectMapper();
    private final PriceCatalogue catalogue = new PriceCatalogue(null, json);

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
    }

    @Test
    void anExactPriceWinsOverAPrefixAndTheNewestInForceApplies() {
        JsonNode unused = json.createObjectNode();
        assertTrue(unused.isEmpty());
        Price prefix = new Price(1L, "anthropic", "claude-x", Price.PREFIX, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE, null, null,
                null, null, null, null, null, java.time.Instant.EPOCH, null);
        assertTrue(prefix.matches("anthropic", "claude-x-20250101"));
        assertTrue(!prefix.matches("openai", "claude-x-20250101"));
        Price exact = new Price(2L, "openai", "gpt-4o", Price.EXACT, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE, null, null,
                null, null, null, null, null, java.time.Instant.EPOCH, null);
        assertTrue(!exact.matches("openai", "gpt-4o-mini"));
    }
}
