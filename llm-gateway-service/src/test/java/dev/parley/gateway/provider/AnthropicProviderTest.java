package dev.parley.gateway.provider;

import static dev.parley.gateway.provider.WireTranslation.assertSameChunks;
import static dev.parley.gateway.provider.WireTranslation.assertSameJson;
import static dev.parley.gateway.provider.WireTranslation.assertValidChunks;
import static dev.parley.gateway.provider.WireTranslation.json;
import static dev.parley.gateway.provider.WireTranslation.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.anthropic.AnthropicWire;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** OpenAI requests to Anthropic's Messages API and back, against Anthropic's documented wire format. */
class AnthropicProviderTest {
    private final AnthropicProvider provider = new AnthropicProvider();

    @Test
    void theMessagesPathFollowsTheBaseUrlWithOrWithoutItsVersion() {
        assertEquals("/messages", provider.path(URI.create(AnthropicProvider.BASE_URL), "m", false, false));
        assertEquals("/messages", provider.path(URI.create("https://proxy.example/anthropic/v1/"), "m", true, false));
        assertEquals("/v1/messages", provider.path(URI.create("https://proxy.example/anthropic"), "m", false, false));
        assertEquals("/v1/messages", provider.path(URI.create("http://127.0.0.1:9000"), "m", false, false));
    }

    @Test
    void aFullOpenAiRequestBecomesTheEquivalentMessagesRequest() {
        ObjectNode request = obj("""
                {"model":"anthropic/claude-sonnet-4-5","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in English.","cache_control":{"type":"ephemeral"}}]},
                  {"role":"user","content":[{"type":"text","text":"Weather here and in Tokyo?"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                     {"type":"image_url","image_url":{"url":"https://example.com/map.jpg"}}]},
                  {"role":"assistant","content":"Checking.","tool_calls":[
                     {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}},
                     {"id":"toolu_2","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Tokyo\\"}"}}]},
                  {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
                  {"role":"tool","tool_call_id":"toolu_2","content":"24C"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",
                     "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}],
                 "tool_choice":"required","parallel_tool_calls":false,
                 "temperature":0.5,"top_p":0.9,"max_completion_tokens":300,"stop":"END","user":"u-42","stream":true}""");
        ObjectNode out = provider.request(request, "claude-sonnet-4-5", true, false);
        assertSameJson("""
                {"model":"claude-sonnet-4-5",
                 "messages":[
                  {"role":"user","content":[{"type":"text","text":"Weather here and in Tokyo?"},
                     {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                     {"type":"image","source":{"type":"url","url":"https://example.com/map.jpg"}}]},
                  {"role":"assistant","content":[{"type":"text","text":"Checking."},
                     {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Paris"}},
                     {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"location":"Tokyo"}}]},
                  {"role":"user","content":[
                     {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
                     {"type":"tool_result","tool_use_id":"toolu_2","content":"24C"}]}],
                 "system":[{"type":"text","text":"You are terse."},
                           {"type":"text","text":"Answer in English.","cache_control":{"type":"ephemeral"}}],
                 "max_tokens":300,"temperature":0.5,"top_p":0.9,"stop_sequences":["END"],
                 "metadata":{"user_id":"u-42"},
                 "tools":[{"name":"get_weather","description":"Weather now",
                     "input_schema":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}],
                 "tool_choice":{"type":"any","disable_parallel_tool_use":true},
                 "stream":true}""", out);
    }

    @Test
    void maxTokensDefaultsAndReasoningEffortTurnsOnThinking() {
        ObjectNode plain = provider.request(obj("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), "m", false, false);
        assertEquals(AnthropicProvider.DEFAULT_MAX_TOKENS, plain.path("max_tokens").asLong());
        assertFalse(plain.has("stream"));
        ObjectNode thinking = provider.request(obj("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"reasoning_effort\":\"medium\",\"max_tokens\":1000}"), "m", false, false);
        assertSameJson("{\"type\":\"enabled\",\"budget_tokens\":4096}", thinking.get("thinking"));
        assertTrue(thinking.path("max_tokens").asLong() > 4096, "room for the answer beyond the thinking budget");
    }

    @Test
    void requestsAnthropicCannotExpressAreClear400s() {
        assertEquals("n", assertThrows(OpenAiException.class, () -> provider.request(
                obj("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"n\":2}"), "m", false, false)).param());
        OpenAiException badArgs = assertThrows(OpenAiException.class, () -> provider.request(obj("""
                {"messages":[{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[
                  {"id":"t","type":"function","function":{"name":"f","arguments":"not json"}}]}]}"""), "m", false, false));
        assertEquals(400, badArgs.status());
        assertEquals("messages[1].tool_calls[0].function.arguments", badArgs.param());
        assertEquals(400, assertThrows(OpenAiException.class, () -> provider.request(
                obj("{\"input\":\"x\"}"), "m", false, true)).status());
        assertEquals(400, assertThrows(OpenAiException.class, () -> provider.request(
                obj("{\"messages\":[{\"role\":\"function\",\"content\":\"x\"}]}"), "m", false, false)).status());
    }

    @Test
    void theKeyGoesInTheXApiKeyHeaderWithTheApiVersion() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        provider.authenticate(headers, "sk-ant-api03-secret");
        assertEquals("sk-ant-api03-secret", headers.get("x-api-key"));
        assertEquals(AnthropicWire.API_VERSION, headers.get("anthropic-version"));
        assertNull(headers.get("Authorization"));
    }

    @Test
    void aMessageBecomesAChatCompletionWithCacheTokensInPromptTokens() {
        ObjectNode c = provider.completion(obj(AnthropicWire.fixture("message.json")), "claude-sonnet-4-5");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", c.toString());
        assertSameJson("""
                {"id":"msg_01dZGhRjg34hRt2BUYnYFhQL","object":"chat.completion","created":0,
                 "model":"claude-sonnet-4-5-20250929",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris.","refusal":null},
                   "logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":4614,"completion_tokens":9,"total_tokens":4623,
                   "prompt_tokens_details":{"cached_tokens":3400},"completion_tokens_details":{"reasoning_tokens":0}}}""", c);
        assertEquals(1200, provider.cacheWriteTokens(json(AnthropicWire.fixture("message.json"))));
    }

    @Test
    void parallelToolUseBecomesTwoToolCallsInOrder() {
        ObjectNode c = provider.completion(obj(AnthropicWire.fixture("message-tool-use-parallel.json")), "m");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", c.toString());
        assertSameJson("""
                {"id":"msg_01SaHmntaXKN9xySqaQfmUfF","object":"chat.completion","created":0,
                 "model":"claude-sonnet-4-5-20250929",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"I'll check the weather in both cities.","refusal":null,
                   "tool_calls":[
                     {"id":"toolu_01igqBiekxyTni4FXwMj5vgU","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}},
                     {"id":"toolu_01iUnJ2XGNGW2EbbTGuuSdef","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Tokyo, Japan\\"}"}}]},
                   "logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":412,"completion_tokens":96,"total_tokens":508,
                   "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}""", c);
    }

    @Test
    void thinkingComesBackAsReasoningContentAndMaxTokensAsLength() {
        ObjectNode c = provider.completion(obj(AnthropicWire.fixture("message-thinking.json")), "m");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", c.toString());
        assertEquals("27 * 453 = 12,231.", c.at("/choices/0/message/content").asText());
        assertTrue(c.at("/choices/0/message/reasoning_content").asText().startsWith("The user wants 27 * 453."));
        ObjectNode cut = provider.completion(obj(AnthropicWire.fixture("message-max-tokens.json")), "m");
        assertEquals("length", cut.at("/choices/0/finish_reason").asText());
    }

    @Test
    void aParallelToolUseStreamKeepsEachCallApartWithOpenAisIndexes() {
        List<ObjectNode> chunks = WireTranslation.stream(provider.stream("anthropic", "m"),
                AnthropicWire.fixture("stream-tool-use-parallel.sse"), "m");
        assertValidChunks(chunks);
        String head = "\"id\":\"msg_01rh8RCYKEwxWmGBpSAC9dXv\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"claude-sonnet-4-5-20250929\"";
        String tail = "\"logprobs\":null,\"finish_reason\":null}]}";
        assertSameChunks(String.join("\n",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"I'll check the weather\"}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" in both cities.\"}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01igqBiekxyTni4FXwMj5vgU\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"location\\\":\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\" \\\"Paris\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\", France\\\"}\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_01iUnJ2XGNGW2EbbTGuuSdef\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"locat\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"ion\\\": \\\"Tokyo,\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\" Japan\\\"}\"}}]}," + tail,
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}",
                "{" + head + ",\"choices\":[],\"usage\":{\"prompt_tokens\":412,\"completion_tokens\":96,\"total_tokens\":508,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}"),
                chunks);
    }

    @Test
    void aTextStreamHasTheRoleFirstTheFinishReasonThenUsage() {
        StreamTranslator t = provider.stream("anthropic", "m");
        List<ObjectNode> chunks = WireTranslation.stream(t, AnthropicWire.fixture("stream.sse"), "m");
        assertValidChunks(chunks);
        assertTrue(t.complete());
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
        assertEquals("The capital of France is Paris.", text.toString());
        assertEquals("stop", chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText());
        ObjectNode usage = (ObjectNode) chunks.get(chunks.size() - 1).get("usage");
        assertEquals(25, usage.path("prompt_tokens").asLong());
        assertEquals(9, usage.path("completion_tokens").asLong());
    }

    @Test
    void aThinkingStreamSendsReasoningContentBeforeTheAnswer() {
        List<ObjectNode> chunks = WireTranslation.stream(provider.stream("anthropic", "m"), AnthropicWire.fixture("stream-thinking.sse"), "m");
        assertValidChunks(chunks);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (ObjectNode c : chunks) {
            reasoning.append(c.at("/choices/0/delta/reasoning_content").asText(""));
            text.append(c.at("/choices/0/delta/content").asText(""));
        }
        assertFalse(reasoning.isEmpty());
        assertFalse(text.isEmpty());
        assertTrue(chunks.get(0).at("/choices/0/delta").has("reasoning_content"), "thinking comes first");
    }

    @Test
    void anOverloadedErrorInsideTheStreamIsA503AndTheStreamIsNotComplete() {
        StreamTranslator t = provider.stream("anthropic", "m");
        OpenAiException e = assertThrows(OpenAiException.class,
                () -> WireTranslation.stream(t, AnthropicWire.fixture("stream-error-overloaded.sse"), "m"));
        assertEquals(503, e.status());
        assertEquals("overloaded", e.code());
        assertFalse(t.complete());
    }

    @Test
    void errorsMapToOpenAisStatusesTypesAndRetryAfter() {
        OpenAiException overloaded = provider.error("anthropic", 529, json(AnthropicWire.fixture("error-529-overloaded.json")), -1);
        assertEquals(503, overloaded.status());
        assertEquals("server_error", overloaded.type());
        OpenAiException limited = provider.error("anthropic", 429, json(AnthropicWire.fixture("error-429.json")), 7000);
        assertEquals(429, limited.status());
        assertEquals("rate_limit_error", limited.type());
        assertEquals(7L, limited.retryAfterSeconds());
        assertEquals(401, provider.error("anthropic", 401, json(AnthropicWire.fixture("error-401.json")), -1).status());
        OpenAiException bad = provider.error("anthropic", 400, json(AnthropicWire.fixture("error-400.json")), -1);
        assertEquals(400, bad.status());
        assertEquals("invalid_request_error", bad.type());
        assertTrue(bad.getMessage().contains("max_tokens"), bad.getMessage());
        assertEquals(502, provider.error("anthropic", 500, json(AnthropicWire.fixture("error-500.json")), -1).status());
    }
}
