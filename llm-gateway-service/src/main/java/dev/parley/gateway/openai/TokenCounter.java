package dev.parley.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * Token counts with OpenAI's o200k_base encoding (jtokkit): used by {@code parley/echo} and for streams whose provider
 * sends no usage, so that no call is ever metered with zero tokens. Chat prompts add OpenAI's documented framing:
 * 3 tokens per message, 1 per name, 3 to prime the reply.
 */
public final class TokenCounter {
    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private TokenCounter() { }

    public static int count(String text) {
        return text == null || text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
    }

    /** The first {@code max} tokens of the text. */
    public static String truncate(String text, int max) {
        IntArrayList tokens = ENCODING.encodeOrdinary(text);
        if (tokens.size() <= max) {
            return text;
        }
        // A token boundary can fall inside a UTF-8 character: drop tokens until the decoded text is a true prefix.
        for (int n = max; n > 0; n--) {
            IntArrayList head = new IntArrayList(n);
            for (int i = 0; i < n; i++) {
                head.add(tokens.get(i));
            }
            String decoded = ENCODING.decode(head);
            if (text.startsWith(decoded)) {
                return decoded;
            }
        }
        return "";
    }

    /** Prompt tokens of a chat request's {@code messages} (text parts and tool-call arguments counted; images not). */
    public static int countMessages(JsonNode messages) {
        int total = 3;
        for (JsonNode m : messages) {
            total += 3;
            total += count(m.path("role").asText(""));
            if (m.hasNonNull("name")) {
                total += 1 + count(m.get("name").asText());
            }
            total += count(ChatJson.text(m.path("content")));
            for (JsonNode call : m.path("tool_calls")) {
                total += count(call.path("function").path("name").asText(""));
                total += count(call.path("function").path("arguments").asText(""));
            }
        }
        return total;
    }

    /** Tokens of an embeddings request's {@code input}: text counted with o200k, a token array by its length. */
    public static long countInput(JsonNode input) {
        if (!input.isArray()) {
            return count(input.asText(""));
        }
        long n = 0;
        for (JsonNode item : input) {
            n += item.isTextual() ? count(item.asText()) : item.isArray() ? item.size() : 1;
        }
        return n;
    }
}
