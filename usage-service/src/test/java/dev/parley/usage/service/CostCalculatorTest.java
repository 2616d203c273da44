package dev.parley.usage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Instant;

import dev.parley.usage.entity.Price;
import org.junit.jupiter.api.Test;

/** Cost arithmetic against hand-computed cases. */
class CostCalculatorTest {
    private static Price price(String in, String out, String cached, String write, String reasoning, String image, Long threshold,
                               String lcIn, String lcOut) {
        return new Price(1L, "p", "m", Price.EXACT, bd(in), bd(out), bd(cached), bd(write), bd(reasoning), bd(image), threshold,
                bd(lcIn), bd(lcOut), Instant.EPOCH, null);
    }

    private static BigDecimal bd(String s) {
        return s == null ? null : new BigDecimal(s);
    }

    private static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + " but was " + actual.toPlainString());
    }

    @Test
    void plainInputAndOutput() {
        // gpt-4o-mini style: 0.15 in, 0.60 out; 1,000 in + 500 out = 0.00015 + 0.0003
        assertUsd("0.00045", CostCalculator.cost(price("0.15", "0.60", null, null, null, null, null, null, null), 1000, 500, 0, 0, 0, 0));
    }

    @Test
    void cachedReadsAreBilledAtTheCachedPriceAndOutOfThePromptCount() {
        // 10,000 prompt of which 8,000 cached: 2,000 × 2.50 + 8,000 × 1.25 = 0.005 + 0.01; 100 out × 10 = 0.001
        assertUsd("0.016", CostCalculator.cost(price("2.50", "10", "1.25", null, null, null, null, null, null), 10_000, 100, 8_000, 0, 0, 0));
        // no cached price: cached tokens cost the input price
        assertUsd("0.026", CostCalculator.cost(price("2.50", "10", null, null, null, null, null, null, null), 10_000, 100, 8_000, 0, 0, 0));
    }

    @Test
    void cacheWritesAndReadsTogether() {
        // Anthropic style: 3 in, 15 out, read 0.30, write 3.75; 5,000 prompt = 1,000 read + 3,000 write + 1,000 plain
        // 1,000×3 + 1,000×0.30 + 3,000×3.75 = 3,000 + 300 + 11,250 = 14,550 /1e6 = 0.01455; 200 out × 15 = 0.003
        assertUsd("0.01755", CostCalculator.cost(price("3", "15", "0.30", "3.75", null, null, null, null, null), 5_000, 200, 1_000, 0, 3_000, 0));
    }

    @Test
    void reasoningTokensArePartOfTheCompletionAndBilledAtTheirPrice() {
        // 1,000 completion of which 800 reasoning; reasoning price unset = output price: 1,000 × 8 = 0.008
        assertUsd("0.008", CostCalculator.cost(price("0", "8", null, null, null, null, null, null, null), 0, 1_000, 0, 800, 0, 0));
        // with its own price 2: 200 × 8 + 800 × 2 = 1,600 + 1,600 = 0.0032
        assertUsd("0.0032", CostCalculator.cost(price("0", "8", null, null, "2", null, null, null, null), 0, 1_000, 0, 800, 0, 0));
    }

    @Test
    void theLongContextTierAppliesToTheWholeCallAboveTheThreshold() {
        Price p = price("1.25", "10", null, null, null, null, 200_000L, "2.50", "15");
        // at the threshold: base prices: 200,000 × 1.25 + 1,000 × 10 = 0.25 + 0.01
        assertUsd("0.26", CostCalculator.cost(p, 200_000, 1_000, 0, 0, 0, 0));
        // one token above: tier prices for everything: 200,001 × 2.50 + 1,000 × 15 = 0.5000025 + 0.015
        assertUsd("0.5150025", CostCalculator.cost(p, 200_001, 1_000, 0, 0, 0, 0));
    }

    @Test
    void cacheReadsRiseWithTheInputPriceInTheLongContextTier() {
        Price p = price("1", "0", "0.1", null, null, null, 100L, "2", "0");
        // above the threshold: 50 uncached × 2 + 100 cached × 0.2 = 100 + 20 = 120 / 1e6
        assertUsd("0.00012", CostCalculator.cost(p, 150, 0, 100, 0, 0, 0));
    }

    @Test
    void imagesAndInconsistentCountsAreHandled() {
        assertUsd("0.0802", CostCalculator.cost(price("1", "1", null, null, null, "0.04", null, null, null), 100, 100, 0, 0, 0, 2));
        // more cached than prompt (a provider quirk): capped at the prompt, never a negative uncached count
        // (100 cached × 0.5 = 0.00005; without the cap: −400 × 1 + 500 × 0.5 = −0.00015)
        assertUsd("0.00005", CostCalculator.cost(price("1", "1", "0.5", null, null, null, null, null, null), 100, 0, 500, 0, 0, 0));
    }
}
