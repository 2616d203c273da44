package dev.parley.gateway.provider;

import static dev.parley.gateway.openai.OpenAiShapes.JSON;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.gateway.openai.OpenAiShapes;

/** message_start … content_block_start/delta/stop … message_delta … message_stop, as OpenAI chunks. */
final class AnthropicStream implements StreamTranslator {
    private String id = ChatJson.newCompletionId();
    private final long created = OpenAiShapes.now();
    private String model;
    private long input;
    private long cacheRead;
    private long cacheWrite;
    private long output;
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private boolean done;

    AnthropicStream(String model) {
        this.model = model;
    }

    @Override
    public List<ObjectNode> onEvent(JsonNode e) {
        String type = e.path("type").asText("");
        switch (type) {
            case "message_start" -> {
                JsonNode m = e.path("message");
                id = AnthropicProvider.completionId(m.path("id").asText(null));
                model = m.path("model").asText(model);
                readUsage(m.path("usage"));
                // No chunk yet: the first content carries the role, so an error before it can still be retried.
                return OpenAiShapes.none();
            }
            case "content_block_start" -> {
                JsonNode block = e.path("content_block");
                int index = e.path("index").asInt();
                switch (block.path("type").asText()) {
                    case "tool_use" -> {
                        int tool = toolIndexByBlock.size();
                        toolIndexByBlock.put(index, tool);
                        JsonNode in = block.path("input");
                        String args = in.isObject() && !in.isEmpty() ? in.toString() : "";
                        ObjectNode call = OpenAiShapes.toolCall(block.path("id").asText(), block.path("name").asText(), args);
                        call.put("index", tool);
                        ObjectNode d = OpenAiShapes.delta();
                        d.putArray("tool_calls").add(reorder(call));
                        return List.of(chunk(d, null));
                    }
                    case "text" -> {
                        String text = block.path("text").asText("");
                        return text.isEmpty() ? OpenAiShapes.none() : List.of(chunk(OpenAiShapes.delta().put("content", text), null));
                    }
                    case "thinking" -> {
                        String text = block.path("thinking").asText("");
                        return text.isEmpty() ? OpenAiShapes.none() : List.of(chunk(OpenAiShapes.delta().put("reasoning_content", text), null));
                    }
                    default -> {
                        return OpenAiShapes.none();
                    }
                }
            }
            case "content_block_delta" -> {
                JsonNode d = e.path("delta");
                int index = e.path("index").asInt();
                switch (d.path("type").asText()) {
                    case "text_delta" -> {
                        return List.of(chunk(OpenAiShapes.delta().put("content", d.path("text").asText("")), null));
                    }
                    case "thinking_delta" -> {
                        return List.of(chunk(OpenAiShapes.delta().put("reasoning_content", d.path("thinking").asText("")), null));
                    }
                    case "input_json_delta" -> {
                        Integer tool = toolIndexByBlock.get(index);
                        String partial = d.path("partial_json").asText("");
                        if (tool == null || partial.isEmpty()) {
                            return OpenAiShapes.none();
                        }
                        ObjectNode delta = OpenAiShapes.delta();
                        ObjectNode call = delta.putArray("tool_calls").addObject();
                        call.put("index", tool);
                        call.putObject("function").put("arguments", partial);
                        return List.of(chunk(delta, null));
                    }
                    default -> {
                        return OpenAiShapes.none(); // signature_delta, citations_delta
                    }
                }
            }
            case "message_delta" -> {
                readUsage(e.path("usage"));
                String stop = e.path("delta").path("stop_reason").asText(null);
                return stop == null ? OpenAiShapes.none() : List.of(chunk(OpenAiShapes.delta(), AnthropicProvider.finishReason(stop)));
            }
            case "message_stop" -> {
                done = true;
                return List.of(OpenAiShapes.usageChunk(id, created, model,
                        OpenAiShapes.usage(input + cacheRead + cacheWrite, output, cacheRead, 0)));
            }
            case "error" -> {
                JsonNode err = e.path("error");
                throw AnthropicProvider.errorOf(err.path("type").asText("").equals("overloaded_error") ? 529 : 502,
                        err.path("type").asText(""), err.path("message").asText(null), -1);
            }
            default -> {
                return OpenAiShapes.none(); // ping and event types added later
            }
        }
    }

    private void readUsage(JsonNode u) {
        input = u.path("input_tokens").asLong(input);
        cacheRead = u.path("cache_read_input_tokens").asLong(cacheRead);
        cacheWrite = u.path("cache_creation_input_tokens").asLong(cacheWrite);
        output = u.path("output_tokens").asLong(output);
    }

    /** OpenAI's tool-call delta lists index first. */
    private static ObjectNode reorder(ObjectNode call) {
        ObjectNode out = JSON.objectNode();
        out.set("index", call.get("index"));
        out.set("id", call.get("id"));
        out.set("type", call.get("type"));
        out.set("function", call.get("function"));
        return out;
    }

    private ObjectNode chunk(ObjectNode delta, String finish) {
        return OpenAiShapes.chunk(id, created, model, 0, delta, finish);
    }

    @Override
    public List<ObjectNode> end() {
        return OpenAiShapes.none();
    }

    @Override
    public boolean complete() {
        return done;
    }

    @Override
    public long cacheWriteTokens() {
        return cacheWrite;
    }
}
