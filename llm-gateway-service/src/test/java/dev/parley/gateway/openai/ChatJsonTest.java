package dev.parley.gateway.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.testsupport.OpenAiSpec;
import org.junit.jupiter.api.Test;

/** What any OpenAI-compatible server answers, brought to the shape OpenAI's own API description requires. */
class ChatJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private ObjectNode json(String json) throws Exception {
        return (ObjectNode) mapper.readTree(json);
    }

    private void assertValid(String schema, JsonNode json) throws Exception {
        OpenAiSpec.get().assertValid(schema, mapper.writeValueAsString(json));
    }

    // ---- normalizeCompletion -------------------------------------------------------------------------------------

    @Test
    void normalizeCompletionFillsEveryRequiredField() throws Exception {
        ObjectNode c = json("""
                {"choices":[{"message":{"content":"hi"}}],"usage":null,"system_fingerprint":null,
                 "x_provider_extra":{"kept":true}}""");
        long before = System.currentTimeMillis() / 1000;
        ChatJson.normalizeCompletion(c, "llama3.2");

        assertTrue(c.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", c.get("object").asText());
        assertTrue(c.get("created").asLong() >= before);
        assertEquals("llama3.2", c.get("model").asText());
        JsonNode choice = c.at("/choices/0");
        assertEquals(0, choice.get("index").asInt());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertTrue(choice.has("logprobs") && choice.get("logprobs").isNull());
        assertEquals("assistant", choice.at("/message/role").asText());
        assertEquals("hi", choice.at("/message/content").asText());
        assertTrue(choice.get("message").has("refusal") && choice.at("/message/refusal").isNull());
        assertFalse(c.has("usage"), "usage: null dropped");
        assertFalse(c.has("system_fingerprint"), "system_fingerprint: null dropped");
        assertEquals(json("{\"kept\":true}"), c.get("x_provider_extra"), "unknown fields are kept");
        assertValid("CreateChatCompletionResponse", c);
    }

    @Test
    void minimalOllamaAnswerValidatesOnceNormalized() throws Exception {
        ObjectNode c = json("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}");
        ChatJson.normalizeCompletion(c, "llama3.2");
        assertValid("CreateChatCompletionResponse", c);
    }

    @Test
    void normalizeCompletionKeepsWhatTheProviderSent() throws Exception {
        ObjectNode c = json("""
                {"id":"cmpl-7","object":"whatever","created":1700000000,"model":"gpt-4o-2024-08-06",
                 "system_fingerprint":"fp_1","usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4},
                 "choices":[{"index":1,"finish_reason":"length","logprobs":null,
                             "message":{"role":"assistant","content":"h","refusal":null}}]}""");
        ChatJson.normalizeCompletion(c, "fallback");

        assertEquals("cmpl-7", c.get("id").asText());
        assertEquals("chat.completion", c.get("object").asText(), "object is always chat.completion");
        assertEquals(1700000000L, c.get("created").asLong());
        assertEquals("gpt-4o-2024-08-06", c.get("model").asText());
        assertEquals("fp_1", c.get("system_fingerprint").asText());
        assertEquals(4, c.at("/usage/total_tokens").asInt());
        assertEquals(1, c.at("/choices/0/index").asInt());
        assertEquals("length", c.at("/choices/0/finish_reason").asText());
        assertValid("CreateChatCompletionResponse", c);
    }

    @Test
    void choiceWithoutMessageGetsAnEmptyAssistantMessage() throws Exception {
        ObjectNode c = json("{\"choices\":[{\"finish_reason\":\"stop\"}]}");
        ChatJson.normalizeCompletion(c, "m");
        assertEquals("assistant", c.at("/choices/0/message/role").asText());
        assertTrue(c.at("/choices/0/message/content").isNull());
        assertValid("CreateChatCompletionResponse", c);
    }

    // ---- normalizeChunk ------------------------------------------------------------------------------------------

    @Test
    void roleIsAddedOnlyToTheFirstChunkOfEachChoice() throws Exception {
        BitSet seen = new BitSet();
        ObjectNode first = json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}");
        ObjectNode second = json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}");
        ObjectNode otherChoice = json("{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"c\"}}]}");
        ObjectNode otherAgain = json("{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"d\"}}]}");
        for (ObjectNode chunk : new ObjectNode[] {first, second, otherChoice, otherAgain}) {
            ChatJson.normalizeChunk(chunk, "m", seen);
        }

        assertEquals("assistant", first.at("/choices/0/delta/role").asText());
        assertFalse(second.at("/choices/0/delta").has("role"));
        assertEquals("assistant", otherChoice.at("/choices/0/delta/role").asText());
        assertFalse(otherAgain.at("/choices/0/delta").has("role"));
    }

    @Test
    void normalizeChunkAddsANullFinishReason() throws Exception {
        ObjectNode chunk = json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}");
        ChatJson.normalizeChunk(chunk, "m", new BitSet());
        JsonNode choice = chunk.at("/choices/0");
        assertTrue(choice.has("finish_reason") && choice.get("finish_reason").isNull());
    }

    @Test
    void normalizeChunkKeepsTheProvidersFinishReason() throws Exception {
        ObjectNode chunk = json("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
        ChatJson.normalizeChunk(chunk, "m", new BitSet());
        assertEquals("tool_calls", chunk.at("/choices/0/finish_reason").asText());
    }

    @Test
    void minimalChunkValidatesOnceNormalized() throws Exception {
        ObjectNode chunk = json("{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"system_fingerprint\":null}");
        ChatJson.normalizeChunk(chunk, "llama3.2", new BitSet());

        assertTrue(chunk.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion.chunk", chunk.get("object").asText());
        assertEquals("llama3.2", chunk.get("model").asText());
        assertEquals(0, chunk.at("/choices/0/index").asInt());
        assertFalse(chunk.has("system_fingerprint"));
        assertValid("CreateChatCompletionStreamResponse", chunk);
    }

    // ---- usage-only chunks ---------------------------------------------------------------------------------------

    @Test
    void chunkWithEmptyChoicesAndUsageIsUsageOnly() throws Exception {
        assertTrue(ChatJson.isUsageOnlyChunk(json("""
                {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""")));
    }

    @Test
    void chunksWithChoicesOrWithoutUsageAreNotUsageOnly() throws Exception {
        assertFalse(ChatJson.isUsageOnlyChunk(json("""
                {"choices":[{"index":0,"delta":{}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""")));
        assertFalse(ChatJson.isUsageOnlyChunk(json("{\"choices\":[],\"usage\":null}")));
        assertFalse(ChatJson.isUsageOnlyChunk(json("{\"choices\":[]}")));
        assertFalse(ChatJson.isUsageOnlyChunk(json("{\"usage\":{\"prompt_tokens\":1}}")));
    }

    // ---- text and images -----------------------------------------------------------------------------------------

    @Test
    void textOfStringContentIsTheString() throws Exception {
        assertEquals("Hello", ChatJson.text(mapper.readTree("\"Hello\"")));
    }

    @Test
    void textOfContentPartsJoinsTheTextPartsAndSkipsImages() throws Exception {
        JsonNode parts = mapper.readTree("""
                [{"type":"text","text":"first"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
                 {"type":"text","text":"second"}]""");
        assertEquals("first\nsecond", ChatJson.text(parts));
    }

    @Test
    void textOfMissingOrNullContentIsEmpty() throws Exception {
        assertEquals("", ChatJson.text(null));
        assertEquals("", ChatJson.text(mapper.readTree("null")));
        assertEquals("", ChatJson.text(json("{}").path("content")));
        assertEquals("", ChatJson.text(mapper.readTree("[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}}]")));
    }

    @Test
    void countImagesCountsImagePartsInEveryMessage() throws Exception {
        JsonNode messages = mapper.readTree("""
                [{"role":"system","content":"You see images."},
                 {"role":"user","content":[{"type":"text","text":"two cats"},
                   {"type":"image_url","image_url":{"url":"https://example.com/1.png"}},
                   {"type":"image_url","image_url":{"url":"https://example.com/2.png"}}]},
                 {"role":"assistant","content":"Nice."},
                 {"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/3.png"}}]}]""");
        assertEquals(3, ChatJson.countImages(messages));
        assertEquals(0, ChatJson.countImages(mapper.readTree("[{\"role\":\"user\",\"content\":\"no image\"}]")));
    }

    // ---- normalizeEmbeddings -------------------------------------------------------------------------------------

    @Test
    void minimalEmbeddingsAnswerValidatesOnceNormalized() throws Exception {
        ObjectNode e = json("{\"data\":[{\"embedding\":[0.1]}]}");
        ChatJson.normalizeEmbeddings(e, "nomic-embed-text");

        assertEquals("list", e.get("object").asText());
        assertEquals("nomic-embed-text", e.get("model").asText());
        assertEquals("embedding", e.at("/data/0/object").asText());
        assertEquals(0, e.at("/data/0/index").asInt());
        assertEquals(0, e.at("/usage/prompt_tokens").asInt());
        assertEquals(0, e.at("/usage/total_tokens").asInt());
        assertValid("CreateEmbeddingResponse", e);
    }

    @Test
    void embeddingsTotalTokensDefaultsToPromptTokens() throws Exception {
        ObjectNode e = json("{\"model\":\"m\",\"data\":[{\"embedding\":[0.1]},{\"embedding\":[0.2]}],"
                + "\"usage\":{\"prompt_tokens\":7}}");
        ChatJson.normalizeEmbeddings(e, "fallback");
        assertEquals("m", e.get("model").asText());
        assertEquals(1, e.at("/data/1/index").asInt());
        assertEquals(7, e.at("/usage/total_tokens").asInt());
        assertValid("CreateEmbeddingResponse", e);
    }
}
