package dev.parley.memory.ai;

import dev.parley.platform.ai.GatewayChatModels;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.UserMessage;
import io.quarkiverse.langchain4j.RegisterAiService;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The AI service that reads a finished exchange beside the user's related memories and proposes what to remember:
 * structured JSON (ADD, UPDATE of a listed memory, or NOOP). No chat memory: every call stands alone. Call it inside
 * {@link GatewayChatModels#actingFor}.
 */
@RegisterAiService(chatLanguageModelSupplier = GatewayChatModels.ModelSupplier.class,
        chatMemoryProviderSupplier = RegisterAiService.NoChatMemoryProviderSupplier.class)
@ApplicationScoped
public interface MemoryExtractor {
    /** One proposal. */
    // the JSON names are the ones langchain4j's format instructions show the model (the Java names), whatever naming
    // strategy the application's ObjectMapper has
    record Decision(@JsonProperty("action") String action, @JsonProperty("memoryId") String memoryId,
                    @JsonProperty("content") String content, @JsonProperty("type") String type,
                    @JsonProperty("importance") Double importance, @JsonProperty("keywords") List<String> keywords) { }

    /** Every proposal for one exchange. */
    record Decisions(List<Decision> memories) { }

    @SystemMessage("""
            You maintain a long-term memory about a user. From the conversation excerpt, pick out durable facts about the
            user, their preferences and their standing instructions (not small talk, not facts about the world, not what
            the assistant said unless the user agreed with it). Compare each with the EXISTING memories listed (id: content).
            For each one answer an object:
            - {"action":"ADD","content":"…","type":"fact|preference|instruction|episode","importance":0..1,"keywords":["…"]}
              for something new;
            - {"action":"UPDATE","memoryId":"<an id from the list>","content":"<the new, complete content>",…} when it
              refines or contradicts that memory (the new statement wins);
            - {"action":"NOOP","memoryId":"<id>"} when it is already known.
            Answer JSON only: {"memories":[…]}; {"memories":[]} when there is nothing worth remembering.""")
    Decisions decide(@UserMessage String excerptAndExisting);
}
