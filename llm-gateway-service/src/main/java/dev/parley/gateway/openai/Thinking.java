package dev.parley.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code thinking} field of a chat request, Parley's one way to turn a model's reasoning on or off whatever the
 * provider: {@code true}, {@code false}, {@code {"budget_tokens": N}} or Anthropic's own
 * {@code {"type": "enabled"|"disabled", "budget_tokens": N}}. Validated once ({@link #canonical}) into
 * {@code {"type":"enabled"[,"budget_tokens":N]}} or {@code {"type":"disabled"}}, which each provider then translates
 * (OpenAI: {@code reasoning_effort}; Anthropic: its {@code thinking}; Gemini: {@code thinkingConfig}; an
 * OpenAI-compatible server: {@code reasoning_effort} and {@code chat_template_kwargs.enable_thinking}).
 * {@code thinking} wins over {@code reasoning_effort}; {@code reasoning_effort} only sets the level of a
 * {@code thinking: true} without a budget.
 */
public final class Thinking {
    public static final String FIELD = "thinking";
    /** The largest budget accepted (no provider allows more thinking than this in one answer). */
    static final long MAX_BUDGET = 1_000_000;

    private Thinking() { }

    /** The canonical form of a request's {@code thinking}, null when absent or null; a value it cannot be is a 400. */
    public static ObjectNode canonical(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        ObjectNode out = OpenAiShapes.JSON.objectNode();
        if (value.isBoolean()) {
            return out.put("type", value.asBoolean() ? "enabled" : "disabled");
        }
        if (!value.isObject()) {
            throw OpenAiException.invalid(FIELD, "thinking must be true, false or an object {\"budget_tokens\": n}.");
        }
        String type = value.path("type").asText("enabled");
        if (!value.path("type").isMissingNode() && !value.path("type").isTextual()
                || !"enabled".equals(type) && !"disabled".equals(type)) {
            throw OpenAiException.invalid(FIELD, "thinking.type must be enabled or disabled.");
        }
        out.put("type", type);
        JsonNode budget = value.get("budget_tokens");
        if (budget != null && !budget.isNull() && "enabled".equals(type)) {
            if (!budget.isIntegralNumber() || budget.asLong() < 1 || budget.asLong() > MAX_BUDGET) {
                throw OpenAiException.invalid(FIELD, "thinking.budget_tokens must be an integer from 1 to " + MAX_BUDGET + ".");
            }
            out.put("budget_tokens", budget.asLong());
        }
        return out;
    }

    /** Whether a canonical {@code thinking} asks for reasoning. */
    public static boolean enabled(JsonNode thinking) {
        return "enabled".equals(thinking.path("type").asText());
    }

    /** The budget a canonical {@code thinking} gives, 0 when it gives none. */
    public static long budget(JsonNode thinking) {
        return thinking.path("budget_tokens").asLong(0);
    }

    /** OpenAI's {@code reasoning_effort} for a budget, on the scale Anthropic's translation uses (1024/4096/16384). */
    public static String effort(long budget) {
        return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
    }
}
