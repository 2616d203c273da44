package dev.parley.session.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.parley.session.client.MemoryClient;
import dev.parley.session.entity.Message;

/**
 * A turn's prompt: the system prompt, then the memories, then the branch's history newest-first until the model's
 * context window minus the reserved output is full, then the new message. The system prompt and the new message are
 * never dropped. Tokens are counted with o200k_base (the encoding of current OpenAI models; for other providers an
 * estimate of the same order), plus 4 per message for the chat framing.
 */
public final class ContextBuilder {
    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    static final int PER_MESSAGE = 4;
    /** What one image is counted as (OpenAI's cost of a 1024×1024 image at high detail); providers differ. */
    static final int IMAGE_TOKENS = 765;

    private ContextBuilder() { }

    /** The messages to send and what went in or was left out (stored as the reply's {@code context}). */
    public record Built(List<Map<String, Object>> messages, Map<String, Object> context, int promptTokens) { }

    public static int tokens(String text) {
        return text == null || text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
    }

    /** Token counts of stored messages (immutable: an edit is a new message), so a long branch is not re-tokenised every turn. */
    private static final java.util.concurrent.ConcurrentHashMap<UUID, Integer> COUNTED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int COUNTED_MAX = 200_000;

    static int tokens(Message m) {
        if (m.id == null) {
            return tokens(m.content);
        }
        Integer known = COUNTED.get(m.id);
        if (known != null) {
            return known;
        }
        int n = tokens(m.content);
        if (COUNTED.size() >= COUNTED_MAX) {
            COUNTED.clear(); // crude but bounded: a few MB at most; recounted on demand
        }
        COUNTED.put(m.id, n);
        return n;
    }

    /**
     * {@code history}: the branch before the new message, oldest first. {@code window}: the model's context window;
     * {@code reserved}: output tokens kept free.
     */
    public static Built build(String systemPrompt, MemoryClient.Context memory, boolean memoryAsked, List<Message> history,
                              Message newMessage, int window, int reserved, Map<UUID, List<String>> images) {
        List<Map<String, Object>> head = new ArrayList<>();
        int used = 0;
        if (systemPrompt != null && !systemPrompt.isBlank()) {
            head.add(message("system", systemPrompt));
            used += tokens(systemPrompt) + PER_MESSAGE;
        }
        List<String> memoryIds = new ArrayList<>();
        if (memory.available() && !memory.memories().isEmpty() && memory.text() != null && !memory.text().isBlank()) {
            String text = "Things you remember about the user and this conversation:\n" + memory.text();
            head.add(message("system", text));
            used += tokens(text) + PER_MESSAGE;
            memory.memories().forEach(m -> memoryIds.add(m.id()));
        }
        used += tokens(newMessage.content) + PER_MESSAGE + IMAGE_TOKENS * images.getOrDefault(newMessage.id, List.of()).size();
        int budget = Math.max(0, window - reserved - used);
        List<Map<String, Object>> kept = new ArrayList<>();
        List<UUID> keptIds = new ArrayList<>();
        List<UUID> dropped = new ArrayList<>();
        boolean full = false;
        for (int i = history.size() - 1; i >= 0; i--) {
            Message m = history.get(i);
            if (!usable(m)) {
                continue;
            }
            List<String> mImages = images.getOrDefault(m.id, List.of());
            int cost = tokens(m) + PER_MESSAGE + IMAGE_TOKENS * mImages.size();
            if (!full && cost <= budget) {
                budget -= cost;
                used += cost;
                kept.add(message(m.role, m.content, mImages));
                keptIds.add(m.id);
            } else {
                full = true; // keep the kept part contiguous: nothing older once one message did not fit
                dropped.add(m.id);
            }
        }
        Collections.reverse(kept);
        Collections.reverse(keptIds);
        Collections.reverse(dropped);
        List<Map<String, Object>> out = new ArrayList<>(head);
        out.addAll(kept);
        out.add(message(newMessage.role, newMessage.content, images.getOrDefault(newMessage.id, List.of())));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("memory_ids", memoryIds);
        context.put("history_message_ids", keptIds);
        context.put("dropped_message_ids", dropped);
        context.put("memory_unavailable", memoryAsked && !memory.available());
        context.put("prompt_tokens_estimate", used);
        return new Built(out, context, used);
    }

    /** Failed or empty replies are not part of the conversation a model should see. */
    private static boolean usable(Message m) {
        return !(Message.ERROR.equals(m.status) || Message.PENDING.equals(m.status))
                && m.content != null && !m.content.isEmpty();
    }

    /** A message with images: OpenAI's content parts, the text first. */
    private static Map<String, Object> message(String role, String content, List<String> imageUrls) {
        if (imageUrls.isEmpty()) {
            return message(role, content);
        }
        List<Map<String, Object>> parts = new ArrayList<>();
        if (content != null && !content.isEmpty()) {
            parts.add(Map.of("type", "text", "text", content));
        }
        for (String url : imageUrls) {
            parts.add(Map.of("type", "image_url", "image_url", Map.of("url", url)));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", parts);
        return m;
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}
