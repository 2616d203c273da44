package dev.parley.session.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.parley.session.client.MemoryClient;
import dev.parley.session.entity.Message;
import org.junit.jupiter.api.Test;

/** The prompt's token budget: what is kept, what is dropped, and what never is. */
class ContextBuilderTest {
    private static Message msg(String role, String content) {
        Message m = new Message();
        m.id = UUID.randomUUID();
        m.role = role;
        m.content = content;
        m.createdAt = Instant.now();
        return m;
    }

    @Test
    void newestHistoryFirstUntilTheWindowIsFullAndOlderOnesNamedAsDropped() {
        List<Message> history = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            history.add(msg(i % 2 == 0 ? "user" : "assistant", "message number " + i + " " + "x ".repeat(20)));
        }
        int each = ContextBuilder.tokens(history.get(0).content) + ContextBuilder.PER_MESSAGE;
        Message now = msg("user", "the question");
        int window = ContextBuilder.tokens("SYS") + ContextBuilder.tokens("the question") + 2 * ContextBuilder.PER_MESSAGE + 3 * each + 100;
        ContextBuilder.Built b = ContextBuilder.build("SYS", MemoryClient.Context.UNAVAILABLE, true, history, now, window, 100, Map.of());
        List<Map<String, Object>> sent = b.messages();
        assertEquals("SYS", sent.get(0).get("content"));
        assertEquals("the question", sent.get(sent.size() - 1).get("content"));
        assertEquals(5, sent.size(), "system + the 3 newest + the new message");
        assertEquals(history.get(7).content, sent.get(1).get("content"));
        @SuppressWarnings("unchecked")
        List<UUID> dropped = (List<UUID>) b.context().get("dropped_message_ids");
        assertEquals(7, dropped.size());
        assertEquals(history.get(0).id, dropped.get(0));
        assertEquals(true, b.context().get("memory_unavailable"));
    }

    @Test
    void theSystemPromptAndTheNewMessageStayEvenWhenTheyAloneOverflow() {
        Message now = msg("user", "y ".repeat(500));
        ContextBuilder.Built b = ContextBuilder.build("SYS", new MemoryClient.Context(true, List.of(), ""), true,
                List.of(msg("user", "old")), now, 50, 10, Map.of());
        assertEquals(2, b.messages().size());
        assertEquals(false, b.context().get("memory_unavailable"));
    }

    @Test
    void imagesAreContentPartsAndCountAgainstTheWindow() {
        Message now = msg("user", "what is this?");
        ContextBuilder.Built b = ContextBuilder.build(null, MemoryClient.Context.UNAVAILABLE, false, List.of(), now, 10_000, 100,
                Map.of(now.id, List.of("data:image/png;base64,AAAA")));
        Object content = b.messages().get(0).get("content");
        assertEquals(List.of(Map.of("type", "text", "text", "what is this?"),
                Map.of("type", "image_url", "image_url", Map.of("url", "data:image/png;base64,AAAA"))), content);
        assertEquals(false, b.context().get("memory_unavailable"), "not asked: not unavailable");
    }

    @Test
    void imageTypesComeFromTheBytes() {
        assertEquals("image/jpeg", Images.mediaType(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0}));
        assertEquals("image/gif", Images.mediaType("GIF89a....".getBytes()));
        assertEquals("image/webp", Images.mediaType("RIFF\0\0\0\0WEBPVP8 ".getBytes()));
        assertNull(Images.mediaType("<svg xmlns=...>".getBytes()));
        assertNull(Images.mediaType(new byte[0]));
        assertEquals("Plan a weekend in Lyon with", Titles.firstWords("  Plan a weekend in Lyon with kids please"));
    }
}
