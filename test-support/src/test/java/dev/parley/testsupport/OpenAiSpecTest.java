package dev.parley.testsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The validator accepts what OpenAI's API reference shows for a chat completion, a stream chunk, a model list and an
 * error, and refuses the mistakes gateways are known for (a first chunk without role is allowed by the schema, so
 * that one is the gateway tests' job; here: missing required fields, wrong types, a non-OpenAI error shape).
 */
class OpenAiSpecTest {
    private final OpenAiSpec spec = OpenAiSpec.get();

    static final String COMPLETION = """
            {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,
             "model":"gpt-4.1-2025-04-14",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today?",
               "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,
               "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
               "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,
                 "rejected_prediction_tokens":0}},
             "service_tier":"default"}""";

    static final String CHUNK = """
            {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini",
             "system_fingerprint":"fp_44709d6fcb",
             "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""";

    @Test
    void openAisDocumentedShapesValidate() {
        spec.assertValid("CreateChatCompletionResponse", COMPLETION);
        spec.assertValid("CreateChatCompletionStreamResponse", CHUNK);
        spec.assertValid("ListModelsResponse", """
                {"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1686935002,"owned_by":"openai"}]}""");
        spec.assertValid("ErrorResponse", """
                {"error":{"message":"The model `x` does not exist","type":"invalid_request_error","param":null,
                 "code":"model_not_found"}}""");
        spec.assertValid("CreateEmbeddingResponse", """
                {"object":"list","data":[{"object":"embedding","embedding":[0.0023064255,-0.009327292],"index":0}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""");
    }

    @Test
    void commonGatewayMistakesAreCaught() {
        // created as a string, finish_reason outside the enum, logprobs missing (required, nullable).
        assertFalse(spec.violations("CreateChatCompletionResponse", COMPLETION.replace("1741569952", "\"1741569952\"")).isEmpty());
        assertFalse(spec.violations("CreateChatCompletionResponse", COMPLETION.replace("\"stop\"", "\"end_turn\"")).isEmpty());
        assertFalse(spec.violations("CreateChatCompletionResponse", COMPLETION.replace("\"logprobs\":null,", "")).isEmpty());
        // a chunk's finish_reason omitted instead of null
        assertFalse(spec.violations("CreateChatCompletionStreamResponse", CHUNK.replace(",\"finish_reason\":null", "")).isEmpty());
        // Parley's own error shape is not OpenAI's
        List<String> v = spec.violations("ErrorResponse",
                "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"x\",\"details\":{}},\"request_id\":\"r\"}");
        assertFalse(v.isEmpty());
        assertTrue(spec.violations("CreateChatCompletionResponse", "not json").get(0).startsWith("not JSON"));
        assertThrows(IllegalArgumentException.class, () -> spec.violations("NoSuchSchema", "{}"));
    }
}
