package dev.parley.gateway.provider;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.OpenAiException;
import dev.parley.gateway.openai.TokenCounter;
import jakarta.inject.Singleton;

/**
 * {@code parley/echo}: answers with the text of the last user message, verbatim (cut to {@code max_completion_tokens}
 * / {@code max_tokens} with finish reason {@code length}), word by word when streamed, with honest token counts.
 * No provider, no key, no HTTP call: the platform runs end to end without any provider account.
 */
@Singleton
public final class EchoProvider implements Provider, Provider.LocalModel {
    public static final String ID = "parley/echo";
    private static final Pattern WORD = Pattern.compile("\\s*\\S+\\s*$|\\s*\\S+");

    @Override
    public String name() {
        return "parley";
    }

    @Override
    public String ownModel() {
        return "echo";
    }

    @Override
    public OpenAiException refuse(boolean embeddings) {
        return embeddings ? OpenAiException.invalid("model", "'" + ID + "' is a chat model: use POST /v1/chat/completions.") : null;
    }

    @Override
    public LocalModel local() {
        return this;
    }

    record Reply(String text, String finishReason, int promptTokens, int completionTokens, int n) { }

    Reply reply(JsonNode request) {
        JsonNode messages = request.path("messages");
        String text = "";
        for (JsonNode m : messages) {
            if ("user".equals(m.path("role").asText())) {
                text = ChatJson.text(m.path("content"));
            }
        }
        String finish = "stop";
        JsonNode max = request.hasNonNull("max_completion_tokens") ? request.get("max_completion_tokens") : request.get("max_tokens");
        if (max != null && max.canConvertToInt() && max.asInt() >= 0) {
            String cut = TokenCounter.truncate(text, max.asInt());
            if (!cut.equals(text)) {
                text = cut;
                finish = "length";
            }
        }
        int n = Math.max(1, Math.min(request.path("n").asInt(1), 128));
        return new Reply(text, finish, TokenCounter.countMessages(messages), TokenCounter.count(text) * n, n);
    }

    @Override
    public ObjectNode completion(ObjectNode request) {
        Reply r = reply(request);
        ObjectNode c = JSON.objectNode();
        c.put("id", ChatJson.newCompletionId());
        c.put("object", "chat.completion");
        c.put("created", System.currentTimeMillis() / 1000);
        c.put("model", ID);
        ArrayNode choices = c.putArray("choices");
        for (int i = 0; i < r.n(); i++) {
            ObjectNode choice = choices.addObject();
            choice.put("index", i);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", r.text());
            message.putNull("refusal");
            message.putArray("annotations");
            choice.putNull("logprobs");
            choice.put("finish_reason", r.finishReason());
        }
        c.set("usage", usage(r));
        return c;
    }

    /** The chunks of a streamed echo: the role, one chunk per word, the finish reason, and the usage chunk. */
    @Override
    public List<ObjectNode> chunks(ObjectNode request) {
        Reply r = reply(request);
        String id = ChatJson.newCompletionId();
        long created = System.currentTimeMillis() / 1000;
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < r.n(); i++) {
            ObjectNode first = chunk(id, created, i);
            ObjectNode delta = (ObjectNode) first.withArray("choices").get(0).get("delta");
            delta.put("role", "assistant");
            delta.put("content", "");
            delta.putNull("refusal");
            out.add(first);
            for (String piece : words(r.text())) {
                ObjectNode word = chunk(id, created, i);
                ((ObjectNode) word.withArray("choices").get(0).get("delta")).put("content", piece);
                out.add(word);
            }
            ObjectNode last = chunk(id, created, i);
            ((ObjectNode) last.withArray("choices").get(0)).put("finish_reason", r.finishReason());
            out.add(last);
        }
        ObjectNode usage = JSON.objectNode();
        usage.put("id", id);
        usage.put("object", "chat.completion.chunk");
        usage.put("created", created);
        usage.put("model", ID);
        usage.putArray("choices");
        usage.set("usage", usage(r));
        out.add(usage);
        return out;
    }

    /** The text cut before each word, whitespace kept with the word that follows it: the pieces join to the text. */
    static List<String> words(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        int end = 0;
        while (m.find()) {
            pieces.add(m.group());
            end = m.end();
        }
        if (end < text.length()) {
            pieces.add(text.substring(end)); // whitespace-only text
        }
        return pieces;
    }

    private ObjectNode chunk(String id, long created, int index) {
        ObjectNode c = JSON.objectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", ID);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", index);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return c;
    }

    private ObjectNode usage(Reply r) {
        ObjectNode u = JSON.objectNode();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.completionTokens());
        u.put("total_tokens", r.promptTokens() + r.completionTokens());
        ObjectNode pd = u.putObject("prompt_tokens_details");
        pd.put("cached_tokens", 0);
        pd.put("audio_tokens", 0);
        ObjectNode cd = u.putObject("completion_tokens_details");
        cd.put("reasoning_tokens", 0);
        cd.put("audio_tokens", 0);
        cd.put("accepted_prediction_tokens", 0);
        cd.put("rejected_prediction_tokens", 0);
        return u;
    }
}
