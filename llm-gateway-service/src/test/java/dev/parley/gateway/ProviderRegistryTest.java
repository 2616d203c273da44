package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.parley.gateway.provider.AnthropicProvider;
import dev.parley.gateway.provider.EchoProvider;
import dev.parley.gateway.provider.GeminiProvider;
import dev.parley.gateway.provider.LocalEmbeddingsProvider;
import dev.parley.gateway.provider.OpenAiCompatibleProvider;
import dev.parley.gateway.provider.OpenAiProvider;
import dev.parley.gateway.provider.Provider;
import dev.parley.gateway.provider.ProviderRegistry;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The one list of providers, as the application assembles it, and the README's table of it. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class ProviderRegistryTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| (`[^`]+`|[^|]+) \\|", Pattern.MULTILINE);

    @Inject
    ProviderRegistry registry;

    @Test
    void everyBuiltInProviderIsFoundByItsNameWithItsHome() {
        assertEquals(List.of("anthropic", "gemini", "openai"), registry.builtIns().stream().map(Provider::name).toList());
        assertEquals(OpenAiProvider.BASE_URL, registry.builtIn("openai").defaultBaseUrl());
        assertEquals(AnthropicProvider.BASE_URL, registry.builtIn("anthropic").defaultBaseUrl());
        assertEquals(GeminiProvider.BASE_URL, registry.builtIn("gemini").defaultBaseUrl());
        assertNull(registry.builtIn(OpenAiCompatibleProvider.TYPE), "a type, not a provider with a home");
        assertNull(registry.builtIn("parley"));
        assertNull(registry.builtIn("my-ollama"));
    }

    @Test
    void everyProviderKeyTypeSpeaksItsApiAndAnyOtherSpeaksOpenAis() {
        for (String type : List.of("openai", "anthropic", "gemini")) {
            assertSame(registry.builtIn(type), registry.ofType(type), type);
        }
        Provider compatible = registry.ofType(OpenAiCompatibleProvider.TYPE);
        assertEquals(OpenAiCompatibleProvider.TYPE, compatible.name());
        assertNull(compatible.defaultBaseUrl());
        assertSame(compatible, registry.ofType("something-new"));
        assertSame(compatible, registry.ofType(null));
    }

    @Test
    void parleysOwnModelsAreFoundByTheirIdChatModelsFirst() {
        assertEquals(List.of(EchoProvider.ID, LocalEmbeddingsProvider.ID), registry.ownModelIds());
        Provider echo = registry.ownModel(EchoProvider.ID).orElseThrow();
        assertNotNull(echo.local(), "echo answers inside the gateway");
        assertNotNull(echo.refuse(true), "echo is no embeddings model");
        Provider minilm = registry.ownModel(LocalEmbeddingsProvider.ID).orElseThrow();
        assertTrue(minilm.defaultBaseUrl().endsWith("/memory-service"), "memory-service's URL (parley.memory.url)");
        assertNotNull(minilm.refuse(false), "an embeddings model only");
        assertFalse(minilm.circuitBreaker());
        assertTrue(registry.ownModel("parley/nothing").isEmpty());
    }

    /** The README's provider table lists exactly the registry's providers, each built-in one with its home. */
    @Test
    void theReadmeListsEveryProviderAndNothingElse() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int from = readme.indexOf("\n## Providers");
        assertTrue(from >= 0, "README.md has a Providers section");
        String section = readme.substring(from, readme.indexOf("\n## ", from + 1));
        List<String> listed = new ArrayList<>();
        Matcher row = ROW.matcher(section);
        while (row.find()) {
            listed.add(row.group(1));
            Provider builtIn = registry.builtIn(row.group(1));
            if (builtIn != null) {
                assertEquals("`" + builtIn.defaultBaseUrl() + "`", row.group(2).trim(), row.group(1));
            }
        }
        List<String> expected = new ArrayList<>(registry.builtIns().stream().map(Provider::name).toList());
        expected.add(OpenAiCompatibleProvider.TYPE);
        expected.addAll(registry.ownModelIds());
        assertEquals(expected.stream().sorted().toList(), listed.stream().sorted().toList());
    }
}
