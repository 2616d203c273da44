package dev.parley.memory.ai;

import dev.parley.platform.ai.GatewayChatModels;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import io.quarkiverse.langchain4j.RegisterAiService;
import jakarta.enterprise.context.ApplicationScoped;

/** The AI service that summarises a stretch of a conversation into one memory. No chat memory. */
@RegisterAiService(chatLanguageModelSupplier = GatewayChatModels.ModelSupplier.class,
        chatMemoryProviderSupplier = RegisterAiService.NoChatMemoryProviderSupplier.class)
@ApplicationScoped
public interface MemorySummarizer {
    /** The summary and a few keywords for finding it again. */
    record Summary(@JsonProperty("summary") String summary, @JsonProperty("keywords") List<String> keywords) { }

    @SystemMessage("""
            Summarise the conversation below for the user's long-term memory: what was discussed, decided and learned about
            the user, in at most five sentences, in the third person ("The user ..."). Add up to five keywords.
            Answer JSON only.""")
    Summary summarize(@UserMessage String conversation);
}
