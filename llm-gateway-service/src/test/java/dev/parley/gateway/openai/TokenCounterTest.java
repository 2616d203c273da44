package dev.parley.gateway.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** o200k_base token counts, and OpenAI's framing of chat messages. */
class TokenCounterTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void emptyAndNullTextHaveNoTokens() {
        assertEquals(0, TokenCounter.count(""));
        assertEquals(0, TokenCounter.count(null));
    }

    @Test
    void helloWorldIsTwoTokens() {
        assertEquals(2, TokenCounter.count("Hello world"));
    }

    @Test
    void truncateKeepsTheFirstTokens() {
        assertEquals("one two", TokenCounter.truncate("one two three four", 2));
    }

    @Test
    void truncateLeavesShortTextUnchanged() {
        assertEquals("one two", TokenCounter.truncate("one two", 2));
        assertEquals("one two", TokenCounter.truncate("one two", 100));
    }

    @Test
    void truncateToZeroTokensIsEmpty() {
        assertEquals("", TokenCounter.truncate("one two", 0));
    }

    @Test
    void messagesAddThreeTokensEachPlusThreeToPrimeTheReply() throws Exception {
        int tokens = TokenCounter.countMessages(mapper.readTree("[{\"role\":\"user\",\"content\":\"Hello world\"}]"));
        assertEquals(3 + 3 + TokenCounter.count("user") + 2, tokens);
    }

    @Test
    void aMessageNameCostsOneTokenMoreThanTheName() throws Exception {
        int tokens = TokenCounter.countMessages(
                mapper.readTree("[{\"role\":\"user\",\"name\":\"alice\",\"content\":\"Hello world\"}]"));
        assertEquals(3 + 3 + TokenCounter.count("user") + 1 + TokenCounter.count("alice") + 2, tokens);
    }

    @Test
    void noMessagesCostOnlyThePriming() throws Exception {
        assertEquals(3, TokenCounter.countMessages(mapper.readTree("[]")));
    }

    @Test
    void truncateNeverCutsACharacterInHalf() {
        for (String text : new String[] {"👋👋👋", "héllo 👋 wörld", "日本語のテキスト"}) {
            for (int n = 0; n < 6; n++) {
                String cut = TokenCounter.truncate(text, n);
                org.junit.jupiter.api.Assertions.assertTrue(text.startsWith(cut), text + " cut at " + n + " gave " + cut);
                org.junit.jupiter.api.Assertions.assertFalse(cut.contains("\uFFFD"));
            }
        }
    }
}
