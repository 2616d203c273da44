package dev.parley.session.ai;

import dev.parley.platform.ai.GatewayChatModels;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import io.quarkiverse.langchain4j.RegisterAiService;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The AI service that names a conversation after its first exchange. No chat memory: every call stands alone (a
 * shared memory would carry one user's conversation into another's title). Call it inside
 * {@link GatewayChatModels#actingFor}.
 */
@RegisterAiService(chatLanguageModelSupplier = GatewayChatModels.ModelSupplier.class,
        chatMemoryProviderSupplier = RegisterAiService.NoChatMemoryProviderSupplier.class)
@ApplicationScoped
public interface TitleWriter {
    @SystemMessage("Write a title of at most six words for the conversation below. Answer with the title only, no quotes.")
    String title(@UserMessage String conversation);
}
