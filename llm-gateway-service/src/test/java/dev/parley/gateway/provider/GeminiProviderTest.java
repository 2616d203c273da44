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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.gemini.GeminiWire;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

/** OpenAI requests to Gemini's generateContent and back, against Google's documented wire format. */
class GeminiProviderTest {
    private static final URI BASE = URI.create(GeminiProvider.BASE_URL);
    private final GeminiProvider provider = new GeminiProvider();

    @Test
    void aFullOpenAiRequestBecomesTheEquivalentGenerateContentRequest() {
        ObjectNode request = obj("""
                {"model":"gemini/gemini-2.5-flash","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"user","content":[{"type":"text","text":"Weather here and in Tokyo?"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
                  {"role":"assistant","content":null,"tool_calls":[
                     {"id":"call_1.sig.CsoCAdHt==","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}},
                     {"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1.sig.CsoCAdHt==","content":"{\\"temp_c\\":18}"},
                  {"role":"tool","tool_call_id":"call_2","content":"09:00"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",
                     "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}}},
                   {"type":"function","function":{"name":"get_time"}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}},
                 "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"}}},
                 "temperature":0.5,"top_p":0.9,"max_tokens":300,"stop":["END"],"seed":7,"n":1,
                 "reasoning_effort":"low","stream":true}""");
        ObjectNode out = provider.request(request, "gemini-2.5-flash", true, false);
        assertSameJson("""
                {"contents":[
                  {"role":"user","parts":[{"text":"Weather here and in Tokyo?"},
                     {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]},
                  {"role":"model","parts":[
                     {"functionCall":{"name":"get_weather","args":{"location":"Paris"}},"thoughtSignature":"CsoCAdHt=="},
                     {"functionCall":{"name":"get_time","args":{}}}]},
                  {"role":"user","parts":[
                     {"functionResponse":{"name":"get_weather","response":{"temp_c":18}}},
                     {"functionResponse":{"name":"get_time","response":{"result":"09:00"}}}]}],
                 "systemInstruction":{"parts":[{"text":"You are terse."}]},
                 "generationConfig":{"temperature":0.5,"topP":0.9,"seed":7,"candidateCount":1,"maxOutputTokens":300,
                   "stopSequences":["END"],"responseMimeType":"application/json","responseJsonSchema":{"type":"object"},
                   "thinkingConfig":{"thinkingBudget":1024,"includeThoughts":true}},
                 "tools":[{"functionDeclarations":[
                   {"name":"get_weather","description":"Weather now","parametersJsonSchema":{"type":"object",
                     "properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}},
                   {"name":"get_time"}]}],
                 "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}}""", out);
    }

    @Test
    void theKeyTravelsInAHeaderAndNeverInTheUrl() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        provider.authenticate(headers, "AIzaSyD-secret-gemini-key");
        assertEquals("AIzaSyD-secret-gemini-key", headers.get(GeminiWire.API_KEY_HEADER));
        assertNull(headers.get("Authorization"));
        for (String path : List.of(provider.path(BASE, "gemini-2.5-flash", false, false), provider.path(BASE, "gemini-2.5-flash", true, false),
                provider.path(BASE, "gemini-embedding-001", false, true))) {
            assertFalse(path.contains("key="), path);
        }
        assertEquals("/models/gemini-2.5-flash:streamGenerateContent?alt=sse", provider.path(BASE, "gemini-2.5-flash", true, false));
    }

    @Test
    void aModelNameCannotReachAnotherPath() {
        for (String model : List.of("../files", "gemini?key=x", "a/b", "a:b", "")) {
            assertEquals(400, assertThrows(OpenAiException.class, () -> provider.path(BASE, model, false, false)).status(), model);
        }
    }

    @Test
    void aToolMessageMustAnswerAnEarlierCall() {
        OpenAiException e = assertThrows(OpenAiException.class, () -> provider.request(obj("""
                {"messages":[{"role":"user","content":"Hi"},{"role":"tool","tool_call_id":"nope","content":"x"}]}"""),
                "gemini-2.5-flash", false, false));
        assertEquals("messages[1].tool_call_id", e.param());
    }

    @Test
    void anAnswerBecomesAChatCompletionWithCachedTokens() {
        ObjectNode c = provider.completion(obj(GeminiWire.fixture("generate-content.json")), "gemini-2.5-flash");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", c.toString());
        assertSameJson("""
                {"id":"chatcmpl-kE9AafWQF7LjjMcPqO7b6Ak","object":"chat.completion","created":0,"model":"gemini-2.5-flash",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris.","refusal":null},
                   "logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1032,"completion_tokens":7,"total_tokens":1039,
                   "prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":0}}}""", c);
    }

    @Test
    void parallelFunctionCallsBecomeToolCallsCarryingTheThoughtSignature() {
        ObjectNode c = provider.completion(obj(GeminiWire.fixture("generate-content-function-calls.json")), "m");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", c.toString());
        String signature = json(GeminiWire.fixture("generate-content-function-calls.json"))
                .at("/candidates/0/content/parts/0/thoughtSignature").asText();
        assertSameJson("""
                {"id":"chatcmpl-t1BAaZzRNemQjMcPhb6cwQ4","object":"chat.completion","created":0,"model":"gemini-2.5-flash",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[
                     {"id":"call_X.sig.%s","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}},
                     {"id":"call_X","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Tokyo, Japan\\"}"}}]},
                   "logprobs":null,"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":74,"completion_tokens":148,"total_tokens":222,
                   "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":118}}}"""
                .formatted(signature), c);
        // The id goes back to Gemini on the next turn and restores the signature there.
        String id = c.at("/choices/0/message/tool_calls/0/id").asText();
        ObjectNode next = provider.request(obj("""
                {"messages":[{"role":"user","content":"Weather?"},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"%s","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"%s","content":"18C"}]}""".formatted(id, id)), "m", false, false);
        assertEquals(signature, next.at("/contents/1/parts/0/thoughtSignature").asText());
    }

    @Test
    void thoughtsComeBackAsReasoningContentAndCountAsCompletionTokens() {
        ObjectNode c = provider.completion(obj(GeminiWire.fixture("generate-content-thinking.json")), "m");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", c.toString());
        assertEquals("The capital of France is Paris.", c.at("/choices/0/message/content").asText());
        assertTrue(c.at("/choices/0/message/reasoning_content").asText().contains("Identifying the Capital"));
        assertEquals(193, c.at("/usage/completion_tokens").asLong());
        assertEquals(186, c.at("/usage/completion_tokens_details/reasoning_tokens").asLong());
    }

    @Test
    void safetyBlocksFinishWithContentFilterAndSayWhy() {
        ObjectNode answer = provider.completion(obj(GeminiWire.fixture("generate-content-safety.json")), "m");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", answer.toString());
        assertEquals("content_filter", answer.at("/choices/0/finish_reason").asText());
        assertTrue(answer.at("/choices/0/message/content").isNull());
        assertTrue(answer.at("/choices/0/message/refusal").asText().contains("SAFETY"));

        ObjectNode prompt = provider.completion(obj(GeminiWire.fixture("generate-content-prompt-blocked.json")), "m");
        OpenAiSpec.get().assertValid("CreateChatCompletionResponse", prompt.toString());
        assertEquals("content_filter", prompt.at("/choices/0/finish_reason").asText());
        assertTrue(prompt.at("/choices/0/message/refusal").asText().contains("blockReason SAFETY"));
        assertEquals("length", provider.completion(obj(GeminiWire.fixture("generate-content-max-tokens.json")), "m")
                .at("/choices/0/finish_reason").asText());
    }

    @Test
    void aStreamHasTheRoleFirstTheFinishReasonThenUsage() {
        StreamTranslator t = provider.stream("gemini", "m");
        List<ObjectNode> chunks = WireTranslation.stream(t, GeminiWire.fixture("stream.sse"), "m");
        assertValidChunks(chunks);
        assertTrue(t.complete());
        assertEquals("assistant", chunks.get(0).at("/choices/0/delta/role").asText());
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
        assertEquals("The capital of France is Paris.", text.toString());
        ObjectNode last = chunks.get(chunks.size() - 1);
        assertTrue(last.get("choices").isEmpty());
        assertEquals(8, last.at("/usage/prompt_tokens").asLong());
        assertEquals(7, last.at("/usage/completion_tokens").asLong());
        assertEquals("stop", chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText());
    }

    @Test
    void aParallelFunctionCallStreamIndexesEachCall() {
        List<ObjectNode> chunks = WireTranslation.stream(provider.stream("gemini", "m"), GeminiWire.fixture("stream-function-calls.sse"), "m");
        assertValidChunks(chunks);
        String head = "\"id\":\"chatcmpl-7lJAaZ_FDc6QjMcPm-zU2As\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"gemini-2.5-flash\"";
        String signature = json(GeminiWire.fixture("stream-function-calls.sse").lines().filter(l -> l.contains("functionCall"))
                .findFirst().orElseThrow().substring(6)).at("/candidates/0/content/parts/0/thoughtSignature").asText();
        assertSameChunks(String.join("\n",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"I'll check the current weather in both cities.\"},\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
                        + "{\"index\":0,\"id\":\"call_X.sig." + signature + "\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Paris, France\\\"}\"}},"
                        + "{\"index\":1,\"id\":\"call_X\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Tokyo, Japan\\\"}\"}}]},"
                        + "\"logprobs\":null,\"finish_reason\":null}]}",
                "{" + head + ",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}",
                "{" + head + ",\"choices\":[],\"usage\":{\"prompt_tokens\":74,\"completion_tokens\":144,\"total_tokens\":218,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":104}}}"),
                chunks);
    }

    @Test
    void embeddingsBecomeOpenAisListInFloatsOrBase64() {
        ObjectNode request = obj("{\"model\":\"gemini/gemini-embedding-001\",\"input\":[\"first\",\"second\"],\"dimensions\":8}");
        assertSameJson("""
                {"requests":[
                  {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"first"}]},"outputDimensionality":8},
                  {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"second"}]},"outputDimensionality":8}]}""",
                provider.request(request, "gemini-embedding-001", false, true));
        ObjectNode answer = (ObjectNode) json(GeminiWire.fixture("batch-embed-contents.json"));
        ObjectNode floats = provider.embeddings(answer, request, "gemini-embedding-001");
        OpenAiSpec.get().assertValid("CreateEmbeddingResponse", floats.toString());
        assertEquals(2, floats.get("data").size());
        assertEquals(answer.at("/embeddings/1/values"), floats.at("/data/1/embedding"));
        assertEquals(1, floats.at("/data/1/index").asInt());
        assertTrue(floats.at("/usage/prompt_tokens").asLong() > 0);

        request.put("encoding_format", "base64");
        ObjectNode b64 = provider.embeddings(answer, request, "gemini-embedding-001");
        // OpenAI's description types embedding as an array only, though its API answers base64 as a string.
        assertTrue(b64.at("/data/0/embedding").isTextual());
        ByteBuffer decoded = ByteBuffer.wrap(Base64.getDecoder().decode(b64.at("/data/0/embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((float) answer.at("/embeddings/0/values/2").asDouble(), decoded.getFloat(8));
        assertEquals(400, assertThrows(OpenAiException.class, () -> provider.request(
                obj("{\"input\":[[1,2,3]]}"), "gemini-embedding-001", false, true)).status());
    }

    @Test
    void errorsMapToOpenAisStatusesAndABadKeyIs401() {
        assertEquals(401, provider.error("gemini", 400, json(GeminiWire.fixture("error-400-api-key-invalid.json")), -1).status());
        OpenAiException limited = provider.error("gemini", 429, json(GeminiWire.fixture("error-429.json")), -1);
        assertEquals(429, limited.status());
        assertEquals(17L, limited.retryAfterSeconds(), "RetryInfo.retryDelay becomes Retry-After");
        OpenAiException overloaded = provider.error("gemini", 503, json(GeminiWire.fixture("error-503.json")), -1);
        assertEquals(503, overloaded.status());
        assertEquals("overloaded", overloaded.code());
        assertEquals(400, provider.error("gemini", 400, json(GeminiWire.fixture("error-400.json")), -1).status());
        assertEquals(403, provider.error("gemini", 403, json(GeminiWire.fixture("error-403.json")), -1).status());
        assertEquals(502, provider.error("gemini", 500, json(GeminiWire.fixture("error-500.json")), -1).status());
    }
}
