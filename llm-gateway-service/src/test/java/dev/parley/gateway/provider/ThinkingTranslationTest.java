package dev.parley.gateway.provider;

import static dev.parley.gateway.provider.WireTranslation.assertSameJson;
import static dev.parley.gateway.provider.WireTranslation.json;
import static dev.parley.gateway.provider.WireTranslation.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.Thinking;
import org.junit.jupiter.api.Test;

/** {@code thinking}'s canonical form and what each provider's API receives for it. */
class ThinkingTranslationTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";

    /** A request as the gateway hands it to a provider: {@code thinking} validated into its canonical form. */
    private static ObjectNode request(String thinking, String more) {
        ObjectNode r = obj("{" + MESSAGES + more + "}");
        r.set(Thinking.FIELD, Thinking.canonical(json(thinking)));
        return r;
    }

    @Test
    void everyFormBecomesOneCanonicalObjectAndAnythingElseIsA400() {
        assertSameJson("{\"type\":\"enabled\"}", Thinking.canonical(json("true")));
        assertSameJson("{\"type\":\"disabled\"}", Thinking.canonical(json("false")));
        assertSameJson("{\"type\":\"enabled\",\"budget_tokens\":2048}", Thinking.canonical(json("{\"budget_tokens\":2048}")));
        assertSameJson("{\"type\":\"enabled\",\"budget_tokens\":2048}",
                Thinking.canonical(json("{\"type\":\"enabled\",\"budget_tokens\":2048}"))); // Anthropic's own form
        assertSameJson("{\"type\":\"disabled\"}", Thinking.canonical(json("{\"type\":\"disabled\",\"budget_tokens\":9}")));
        assertNull(Thinking.canonical(json("null")));
        for (String bad : new String[] {"\"on\"", "[]", "{\"type\":1}", "{\"type\":\"auto\"}", "{\"budget_tokens\":-1}",
                "{\"budget_tokens\":1.5}", "{\"budget_tokens\":99999999}"}) {
            assertEquals("thinking", assertThrows(OpenAiException.class, () -> Thinking.canonical(json(bad)), bad).param());
        }
    }

    @Test
    void anthropicGetsExtendedThinkingWithRoomForTheAnswerInMaxTokens() {
        AnthropicProvider anthropic = new AnthropicProvider();
        ObjectNode on = anthropic.request(request("true", ""), "claude-sonnet-4-5", false, false);
        assertSameJson("{\"type\":\"enabled\",\"budget_tokens\":4096}", on.get("thinking"));
        assertTrue(on.path("max_tokens").asLong() > 4096);
        ObjectNode budget = anthropic.request(request("{\"budget_tokens\":2000}", ",\"max_tokens\":1000"), "m", false, false);
        assertEquals(2000, budget.at("/thinking/budget_tokens").asLong());
        assertEquals(3000, budget.path("max_tokens").asLong(), "budget_tokens must stay below max_tokens");
        ObjectNode level = anthropic.request(request("true", ",\"reasoning_effort\":\"high\""), "m", false, false);
        assertEquals(16384, level.at("/thinking/budget_tokens").asLong(), "reasoning_effort sets the level of thinking: true");
        ObjectNode off = anthropic.request(request("false", ",\"reasoning_effort\":\"high\""), "m", false, false);
        assertFalse(off.has("thinking"), "thinking wins over reasoning_effort");
        assertEquals("thinking", assertThrows(OpenAiException.class, () -> anthropic.request(
                request("{\"budget_tokens\":500}", ""), "m", false, false)).param(), "Anthropic's minimum is 1024");
    }

    @Test
    void geminiGetsThinkingConfigAndFalseTurnsADefaultThinkerOff() {
        GeminiProvider gemini = new GeminiProvider();
        assertSameJson("{\"thinkingBudget\":-1,\"includeThoughts\":true}",
                gemini.request(request("true", ""), "gemini-2.5-flash", false, false).at("/generationConfig/thinkingConfig"));
        assertSameJson("{\"thinkingBudget\":0,\"includeThoughts\":false}",
                gemini.request(request("false", ""), "gemini-2.5-flash", false, false).at("/generationConfig/thinkingConfig"));
        assertSameJson("{\"thinkingBudget\":3000,\"includeThoughts\":true}", gemini.request(
                request("{\"budget_tokens\":3000}", ",\"reasoning_effort\":\"high\""), "m", false, false)
                .at("/generationConfig/thinkingConfig"));
        assertFalse(gemini.request(obj("{" + MESSAGES + "}"), "m", false, false).at("/generationConfig/thinkingConfig")
                .isObject(), "nothing said: the model's default");
    }

    @Test
    void openAiAndCompatibleServersGetReasoningEffortAndOnlyCompatibleOnesTheTemplateSwitch() {
        ObjectNode openAi = new OpenAiProvider().request(request("{\"budget_tokens\":30000}", ""), "o3", false, false);
        assertEquals("high", openAi.path("reasoning_effort").asText());
        assertFalse(openAi.has("thinking") || openAi.has("chat_template_kwargs"));
        ObjectNode openAiOff = new OpenAiProvider().request(request("false", ""), "o3", false, false);
        assertFalse(openAiOff.has("reasoning_effort"), "OpenAI's reasoning models cannot stop: nothing sent");

        OpenAiCompatibleProvider compatible = new OpenAiCompatibleProvider();
        ObjectNode on = compatible.request(request("true", ",\"reasoning_effort\":\"low\",\"chat_template_kwargs\":{\"x\":1}"),
                "qwen3", false, false);
        assertEquals("low", on.path("reasoning_effort").asText(), "the client's level kept");
        assertSameJson("{\"x\":1,\"enable_thinking\":true}", on.get("chat_template_kwargs"));
        assertFalse(on.has("thinking"));
        ObjectNode off = compatible.request(request("false", ""), "qwen3", false, false);
        assertEquals("none", off.path("reasoning_effort").asText());
        assertFalse(off.at("/chat_template_kwargs/enable_thinking").asBoolean(true));
    }
}
