package dev.parley.platform.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class AllowedModelsTest {

    @Test
    void anEmptyListAllowsEverything() {
        assertTrue(AllowedModels.permits(List.of(), "openai/gpt-4o"));
        assertTrue(AllowedModels.permits(null, "anthropic/claude-sonnet-4-5"));
    }

    @Test
    void exactNamesAndStarPatternsMatchIgnoringCase() {
        List<String> allowed = List.of("openai/gpt-4o*", "parley/echo", "*/llama-3*");
        assertTrue(AllowedModels.permits(allowed, "openai/gpt-4o"));
        assertTrue(AllowedModels.permits(allowed, "openai/gpt-4o-mini"));
        assertTrue(AllowedModels.permits(allowed, "OpenAI/GPT-4o-mini"));
        assertTrue(AllowedModels.permits(allowed, "parley/echo"));
        assertTrue(AllowedModels.permits(allowed, "my-ollama/llama-3.1-8b"));
        assertFalse(AllowedModels.permits(allowed, "openai/gpt-4.1"));
        assertFalse(AllowedModels.permits(allowed, "parley/echo2"));
        assertFalse(AllowedModels.permits(allowed, "anthropic/claude-sonnet-4-5"));
        assertFalse(AllowedModels.permits(allowed, null));
    }

    @Test
    void hostilePatternsStayLinear() {
        String pattern = "*a".repeat(50) + "b";
        String text = "a".repeat(5000);
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertFalse(AllowedModels.permits(List.of(pattern), text)));
    }
}
