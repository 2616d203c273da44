package dev.parley.gateway.provider;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiShapes;

/** Each event is a whole GenerateContentResponse holding the next piece of each candidate. */
final class GeminiStream implements StreamTranslator {
    private String id;
    private final long created = OpenAiShapes.now();
    private String model;
    private JsonNode usage;
    private final Map<Integer, Integer> toolCount = new HashMap<>();
    private boolean finished;

    GeminiStream(String model) {
        this.model = model;
    }

    @Override
    public List<ObjectNode> onEvent(JsonNode e) {
        if (e.has("error")) {
            throw GeminiProvider.errorOf(e.path("error").path("code").asInt(502), e, -1);
        }
        if (id == null) {
            id = GeminiProvider.completionId(e);
        }
        model = e.path("modelVersion").asText(model);
        if (e.get("usageMetadata") instanceof ObjectNode u) {
            usage = u;
        }
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode cand : e.path("candidates")) {
            int index = cand.path("index").asInt(0);
            ObjectNode delta = OpenAiShapes.delta();
            StringBuilder text = new StringBuilder();
            StringBuilder thoughts = new StringBuilder();
            ArrayNode calls = null;
            for (JsonNode part : cand.path("content").path("parts")) {
                if (part.has("functionCall")) {
                    int n = toolCount.merge(index, 1, Integer::sum) - 1;
                    ObjectNode call = GeminiProvider.toolCall(part);
                    ObjectNode indexed = JSON.objectNode();
                    indexed.put("index", n);
                    indexed.setAll(call);
                    if (calls == null) {
                        calls = delta.putArray("tool_calls");
                    }
                    calls.add(indexed);
                } else if (part.path("thought").asBoolean(false)) {
                    thoughts.append(part.path("text").asText(""));
                } else if (part.has("text")) {
                    text.append(part.path("text").asText(""));
                }
            }
            if (!text.isEmpty()) {
                delta.put("content", text.toString());
            }
            if (!thoughts.isEmpty()) {
                delta.put("reasoning_content", thoughts.toString());
            }
            if (!delta.isEmpty()) {
                out.add(OpenAiShapes.chunk(id, created, model, index, delta, null));
            }
            String finish = GeminiProvider.finishReason(cand.path("finishReason").asText(null), toolCount.getOrDefault(index, 0) > 0);
            if (finish != null) {
                finished = true;
                ObjectNode d = OpenAiShapes.delta();
                if ("content_filter".equals(finish) && text.isEmpty()) {
                    d.put("refusal", "Gemini stopped the answer: finishReason " + cand.path("finishReason").asText() + ".");
                }
                out.add(OpenAiShapes.chunk(id, created, model, index, d, finish));
            }
        }
        String blocked = e.path("promptFeedback").path("blockReason").asText(null);
        if (blocked != null && !finished) {
            finished = true;
            out.add(OpenAiShapes.chunk(id, created, model, 0, OpenAiShapes.delta()
                    .put("refusal", "Gemini blocked the prompt (promptFeedback.blockReason " + blocked + ")."), "content_filter"));
        }
        return out;
    }

    @Override
    public List<ObjectNode> end() {
        if (!finished || usage == null) {
            return OpenAiShapes.none();
        }
        return List.of(OpenAiShapes.usageChunk(id, created, model, GeminiProvider.usage(usage)));
    }

    @Override
    public boolean complete() {
        return finished;
    }

    @Override
    public long cacheWriteTokens() {
        return 0;
    }
}
