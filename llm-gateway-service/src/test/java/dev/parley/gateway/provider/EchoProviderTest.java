package dev.parley.gateway.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.TokenCounter;
import dev.parley.testsupport.OpenAiSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code parley/echo}: the last user message back, cut at the token limit, streamed word by word, spec-valid. */
class EchoProviderTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final EchoProvider echo = new EchoProvider();

    private ObjectNode request(String json) throws Exception {
        return (ObjectNode) mapper.readTree(json);
    }

    private void assertValid(String schema, JsonNode json) throws Exception {
        OpenAiSpec.get().assertValid(schema, mapper.writeValueAsString(json));
    }

    // ---- words ---------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"Hello world", "  leading spaces", "trailing spaces   ", "many    spaces  between",
            "line one\nline two\n\n", "\ttabs\tand\r\nCRLF", "", " ", "  \n\t ", "héllo 👋 wörld 日本語", "single"})
    void wordsJoinBackToTheExactText(String text) {
        assertEquals(text, String.join("", EchoProvider.words(text)));
    }

    @Test
    void wordsKeepTheWhitespaceBeforeEachWord() {
        assertEquals(List.of("Hello", " world"), EchoProvider.words("Hello world"));
        assertEquals(List.of("  a", "\n b  "), EchoProvider.words("  a\n b  "));
    }

    @Test
    void emptyTextHasNoWords() {
        assertEquals(List.of(), EchoProvider.words(""));
    }

    // ---- completion ----------------------------------------------------------------------------------------------

    @Test
    void completionEchoesTheLastUserMessageInEveryChoice() throws Exception {
        ObjectNode req = request("""
                {"model":"parley/echo","n":2,"messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"user","content":"first question"},
                  {"role":"assistant","content":"an answer"},
                  {"role":"user","content":"Hello world"}]}""");
        ObjectNode c = echo.completion(req);

        assertEquals(2, c.get("choices").size());
        for (int i = 0; i < 2; i++) {
            JsonNode choice = c.get("choices").get(i);
            assertEquals(i, choice.get("index").asInt());
            assertEquals("assistant", choice.at("/message/role").asText());
            assertEquals("Hello world", choice.at("/message/content").asText());
            assertEquals("stop", choice.get("finish_reason").asText());
        }
        JsonNode usage = c.get("usage");
        int prompt = TokenCounter.countMessages(req.get("messages"));
        assertEquals(prompt, usage.get("prompt_tokens").asInt());
        assertEquals(2 * TokenCounter.count("Hello world"), usage.get("completion_tokens").asInt());
        assertEquals(prompt + 2 * TokenCounter.count("Hello world"), usage.get("total_tokens").asInt());
        assertEquals(EchoProvider.ID, c.get("model").asText());
        assertValid("CreateChatCompletionResponse", c);
    }

    @Test
    void completionIsCutAtMaxCompletionTokensWithFinishReasonLength() throws Exception {
        ObjectNode c = echo.completion(request("""
                {"max_completion_tokens":2,"messages":[{"role":"user","content":"one two three four"}]}"""));

        JsonNode choice = c.get("choices").get(0);
        assertEquals("one two", choice.at("/message/content").asText());
        assertEquals("length", choice.get("finish_reason").asText());
        assertEquals(2, c.at("/usage/completion_tokens").asInt());
        assertValid("CreateChatCompletionResponse", c);
    }

    @Test
    void legacyMaxTokensAlsoCutsTheAnswer() throws Exception {
        ObjectNode c = echo.completion(request("""
                {"max_tokens":1,"messages":[{"role":"user","content":"one two three four"}]}"""));
        assertEquals("one", c.at("/choices/0/message/content").asText());
        assertEquals("length", c.at("/choices/0/finish_reason").asText());
    }

    @Test
    void answerThatFitsTheLimitStopsNormally() throws Exception {
        ObjectNode c = echo.completion(request("""
                {"max_completion_tokens":4,"messages":[{"role":"user","content":"one two three four"}]}"""));
        assertEquals("one two three four", c.at("/choices/0/message/content").asText());
        assertEquals("stop", c.at("/choices/0/finish_reason").asText());
    }

    @Test
    void contentPartsAreEchoedAsText() throws Exception {
        ObjectNode c = echo.completion(request("""
                {"messages":[{"role":"user","content":[
                  {"type":"text","text":"look at"},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
                  {"type":"text","text":"this"}]}]}"""));
        assertEquals("look at\nthis", c.at("/choices/0/message/content").asText());
        assertValid("CreateChatCompletionResponse", c);
    }

    // ---- chunks --------------------------------------------------------------------------------------------------

    @Test
    void chunksStreamEachChoiceWordByWordAndEndWithUsage() throws Exception {
        ObjectNode req = request("""
                {"n":2,"messages":[{"role":"user","content":"Hello streaming world"}]}""");
        List<ObjectNode> chunks = echo.chunks(req);

        StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
        String[] finish = new String[2];
        boolean[] roleSent = new boolean[2];
        String id = chunks.get(0).get("id").asText();
        for (ObjectNode chunk : chunks) {
            assertValid("CreateChatCompletionStreamResponse", chunk);
            assertEquals(id, chunk.get("id").asText(), "every chunk carries the same id");
            for (JsonNode choice : chunk.get("choices")) {
                int i = choice.get("index").asInt();
                JsonNode delta = choice.get("delta");
                if (delta.has("role")) {
                    assertEquals("assistant", delta.get("role").asText());
                    assertFalse(roleSent[i], "the role comes once");
                    assertTrue(text[i].isEmpty(), "the role comes first");
                    roleSent[i] = true;
                }
                text[i].append(delta.path("content").asText(""));
                if (!choice.get("finish_reason").isNull()) {
                    finish[i] = choice.get("finish_reason").asText();
                }
            }
        }
        for (int i = 0; i < 2; i++) {
            assertTrue(roleSent[i]);
            assertEquals("Hello streaming world", text[i].toString());
            assertEquals("stop", finish[i]);
        }

        ObjectNode last = chunks.get(chunks.size() - 1);
        assertTrue(last.get("choices").isEmpty(), "the usage chunk has no choices");
        assertTrue(ChatJson.isUsageOnlyChunk(last));
        assertEquals(TokenCounter.countMessages(req.get("messages")), last.at("/usage/prompt_tokens").asInt());
        assertEquals(2 * TokenCounter.count("Hello streaming world"), last.at("/usage/completion_tokens").asInt());
        for (ObjectNode chunk : chunks.subList(0, chunks.size() - 1)) {
            assertFalse(chunk.has("usage"), "only the last chunk carries usage");
        }
    }

    @Test
    void chunksOfACutAnswerFinishWithLength() throws Exception {
        List<ObjectNode> chunks = echo.chunks(request("""
                {"max_completion_tokens":2,"messages":[{"role":"user","content":"one two three four"}]}"""));

        StringBuilder text = new StringBuilder();
        String finish = null;
        for (ObjectNode chunk : chunks) {
            assertValid("CreateChatCompletionStreamResponse", chunk);
            for (JsonNode choice : chunk.get("choices")) {
                text.append(choice.at("/delta/content").asText(""));
                if (!choice.get("finish_reason").isNull()) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        }
        assertEquals("one two", text.toString());
        assertEquals("length", finish);
        assertEquals(2, chunks.get(chunks.size() - 1).at("/usage/completion_tokens").asInt());
    }
}
