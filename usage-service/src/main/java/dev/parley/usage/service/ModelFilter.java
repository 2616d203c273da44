package dev.parley.usage.service;

import java.util.List;

import dev.parley.platform.error.ApiException;

/**
 * A report's {@code model} filter as users write it. Models are named {@code provider/model} everywhere
 * ({@code openai/gpt-4o-mini}, what {@code /v1/models} lists and {@code group_by=model} shows), while events store the
 * provider and the provider's own model name apart ({@code openai}, {@code gpt-4o-mini}). A value with a slash matches
 * that provider and model (split at the first slash: {@code my-vllm/meta-llama/Llama-3} is model
 * {@code meta-llama/Llama-3} of {@code my-vllm}), or a provider's own model name that has a slash in it; a value
 * without one is the bare model name, accepted when only one provider has it (else a 400 naming the forms to use).
 *
 * @param provider the provider of the {@code provider/model} reading (null for a bare name)
 * @param model    the model of that reading (or the bare name)
 * @param asWritten the value as sent, matched as a provider's own model name too
 */
public record ModelFilter(String provider, String model, String asWritten) {

    public static ModelFilter parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        int slash = v.indexOf('/');
        if (slash > 0 && slash < v.length() - 1) {
            return new ModelFilter(v.substring(0, slash), v.substring(slash + 1), v);
        }
        return new ModelFilter(null, v, v);
    }

    public boolean bare() {
        return provider == null;
    }

    /** The 400 for a bare name more than one provider has. */
    public ApiException ambiguous(List<String> providers) {
        String first = providers.get(0) + "/" + model;
        return new ApiException(400, "AMBIGUOUS_MODEL", "The model '" + model + "' is served by several providers ("
                + String.join(", ", providers) + "): name it provider/model, e.g. '" + first + "', or add provider=.",
                java.util.Map.of("fields", java.util.Map.of("model", "use provider/model, e.g. " + first),
                        "providers", providers));
    }
}
