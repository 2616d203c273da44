package dev.parley.session.service;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

import dev.parley.platform.account.AccountData;
import dev.parley.platform.account.ExportPages;
import dev.parley.session.entity.ChatSession;
import dev.parley.session.entity.Message;
import dev.parley.session.repository.AccountRepository;
import dev.parley.session.repository.AttachmentRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * session-service's part of an account's deletion and export. Deletion: every session of the user with its messages,
 * images and events, and the outbox rows owed to memory-service (which is not asked anything: it deletes the user's
 * memories on its own account job). Export: {@code sessions.json}, the messages in {@code messages-0001.json}, … (at
 * most {@value #MESSAGES_PER_FILE} and about 4 MB each, platform's {@link ExportPages}; oldest first session by session, with their images' references), and each
 * image in {@code attachments/<id>.json} ({@code data} in base64), split into {@code attachments/<id>-part-01.json}, …
 * when its base64 text is longer than {@value #ATTACHMENT_CHARS_PER_FILE} characters.
 */
@ApplicationScoped
public class SessionAccountData implements AccountData {
    static final int MESSAGES_PER_FILE = 5_000;
    static final int BATCH = 500;
    static final int ATTACHMENT_CHARS_PER_FILE = 4 * 1024 * 1024;

    private final AccountRepository accounts;

    public SessionAccountData(AccountRepository accounts) {
        this.accounts = accounts;
    }

    @Override
    public void delete(UUID userId) {
        QuarkusTransaction.requiringNew().run(() -> accounts.delete(userId));
    }

    @Override
    public void export(UUID userId, BiConsumer<String, Object> file) {
        List<ChatSession> sessions = QuarkusTransaction.requiringNew().call(() -> accounts.sessions(userId));
        file.accept("sessions.json", Map.of("data", sessions.stream().map(SessionAccountData::session).toList()));
        ExportPages pages = new ExportPages(file, n -> String.format("messages-%04d.json", n), MESSAGES_PER_FILE,
                ExportPages.MAX_BYTES);
        for (ChatSession s : sessions) {
            java.time.Instant afterCreated = null;
            UUID afterId = null;
            while (true) {
                java.time.Instant c = afterCreated;
                UUID i = afterId;
                List<Message> batch = QuarkusTransaction.requiringNew().call(() -> accounts.messages(s.id, c, i, BATCH));
                if (batch.isEmpty()) {
                    break;
                }
                Map<UUID, List<Map<String, Object>>> images = images(batch, file);
                for (Message m : batch) {
                    pages.add(message(m, images.getOrDefault(m.id, List.of())),
                            ExportPages.utf8(m.content, m.reasoning) + (m.error == null ? 0 : m.error.toString().length())
                                    + (m.context == null ? 0 : m.context.toString().length()) + 512);
                }
                Message last = batch.get(batch.size() - 1);
                afterCreated = last.createdAt;
                afterId = last.id;
            }
        }
        pages.finish();
    }

    /** Writes the images of these messages, one file (or a few parts) each; their references by message id. */
    private Map<UUID, List<Map<String, Object>>> images(List<Message> batch, BiConsumer<String, Object> file) {
        List<UUID> ids = batch.stream().map(m -> m.id).toList();
        Map<UUID, List<Map<String, Object>>> refs = new LinkedHashMap<>();
        for (AttachmentRepository.Ref r : QuarkusTransaction.requiringNew().call(() -> accounts.imageRefs(ids))) {
            byte[] data = QuarkusTransaction.requiringNew().call(() -> accounts.imageData(r.id()));
            if (data == null) {
                continue; // deleted meanwhile
            }
            String base64 = Base64.getEncoder().encodeToString(data);
            int parts = Math.max(1, (base64.length() + ATTACHMENT_CHARS_PER_FILE - 1) / ATTACHMENT_CHARS_PER_FILE);
            List<String> names = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                String name = parts == 1 ? "attachments/" + r.id() + ".json" : String.format("attachments/%s-part-%02d.json", r.id(), p + 1);
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", r.id());
                f.put("message_id", r.messageId());
                f.put("media_type", r.mediaType());
                f.put("size", r.size());
                if (parts > 1) {
                    f.put("part", p + 1);
                    f.put("parts", parts);
                }
                f.put("data", base64.substring(p * ATTACHMENT_CHARS_PER_FILE, Math.min(base64.length(), (p + 1) * ATTACHMENT_CHARS_PER_FILE)));
                file.accept(name, f);
                names.add(name);
            }
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("id", r.id());
            ref.put("media_type", r.mediaType());
            ref.put("size", r.size());
            ref.put("files", names);
            refs.computeIfAbsent(r.messageId(), k -> new ArrayList<>()).add(ref);
        }
        return refs;
    }

    private static Map<String, Object> session(ChatSession s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id);
        m.put("title", s.title);
        m.put("system_prompt", s.systemPrompt);
        m.put("memory_mode", s.memoryMode);
        m.put("model", s.model);
        m.put("llm_params", s.llmParams);
        m.put("metadata", s.metadata);
        m.put("thinking", s.thinking);
        m.put("active_leaf_id", s.activeLeafId);
        m.put("created_at", s.createdAt);
        m.put("updated_at", s.updatedAt);
        return m;
    }

    private static Map<String, Object> message(Message x, List<Map<String, Object>> images) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", x.id);
        m.put("session_id", x.sessionId);
        m.put("parent_message_id", x.parentMessageId);
        m.put("role", x.role);
        m.put("content", x.content);
        m.put("reasoning", x.reasoning);
        m.put("model_used", x.modelUsed);
        m.put("provider", x.provider);
        m.put("deployment", x.deployment);
        m.put("prompt_tokens", x.promptTokens);
        m.put("completion_tokens", x.completionTokens);
        m.put("response_time_ms", x.responseTimeMs);
        m.put("ttft_ms", x.ttftMs);
        m.put("finish_reason", x.finishReason);
        m.put("status", x.status);
        m.put("llm_params", x.llmParams);
        m.put("context", x.context);
        m.put("error", x.error);
        m.put("attachments", images);
        m.put("created_at", x.createdAt);
        return m;
    }
}
