package dev.parley.session.service;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.parley.session.client.ChatCompletion;
import dev.parley.session.client.ChatDelta;
import dev.parley.session.client.ChatStream;
import dev.parley.session.entity.Message;

/**
 * The gateway's answer read into the reply: a whole completion, or a stream piece by piece (text to the client as
 * {@code delta}s, reasoning as {@code reasoning} pieces, each kept in its own field: the reasoning never joins the
 * content), and how a failed one is recorded.
 */
final class ReplyReader {
    private ReplyReader() { }

    static void completed(ChatCompletion c, Message reply) {
        reply.content = c.content() == null ? "" : c.content();
        reply.reasoning = c.reasoning() == null || c.reasoning().isEmpty() ? null : c.reasoning();
        reply.finishReason = c.finishReason();
        usage(reply, c.usage());
        reply.status = Message.COMPLETE;
    }

    static void failed(Message reply, String code, String message) {
        reply.status = reply.content != null && !reply.content.isEmpty() ? Message.PARTIAL : Message.ERROR;
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        reply.error = error;
    }

    static void stream(ChatStream answer, Message reply, TurnSink sink, Generations.Generation generation, long start) {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        sink.reading(answer);
        try {
            ChatDelta d;
            while (!sink.gone() && !generation.cancelled() && (d = answer.next()) != null) {
                if (d.error() != null) {
                    keep(reply, text, reasoning);
                    failed(reply, d.error().code() != null ? d.error().code() : "UPSTREAM_ERROR",
                            d.error().message() != null ? d.error().message() : "The provider's stream broke off.");
                    return;
                }
                if (d.reasoning() != null && !d.reasoning().isEmpty()) {
                    reasoning.append(d.reasoning());
                    sink.reasoning(d.reasoning());
                }
                if (d.content() != null && !d.content().isEmpty()) {
                    if (reply.ttftMs == null) {
                        reply.ttftMs = (int) ((System.nanoTime() - start) / 1_000_000);
                    }
                    text.append(d.content());
                    sink.delta(d.content());
                }
                if (d.finishReason() != null) {
                    reply.finishReason = d.finishReason();
                }
                if (d.usage() != null) {
                    usage(reply, d.usage());
                }
            }
        } catch (IOException e) {
            if (!sink.gone() && !generation.cancelled()) {
                keep(reply, text, reasoning);
                failed(reply, "STREAM_BROKEN", "The stream from the gateway broke off: " + e.getMessage());
                return;
            }
        }
        keep(reply, text, reasoning);
        if (generation.cancelled()) {
            reply.status = Message.CANCELLED;
        } else if (sink.gone()) {
            reply.status = Message.PARTIAL; // the client left: what was generated so far is kept
        } else if (answer.done()) {
            reply.status = Message.COMPLETE;
        } else {
            failed(reply, "STREAM_BROKEN", "The gateway's stream ended before it was complete.");
        }
    }

    private static void keep(Message reply, StringBuilder text, StringBuilder reasoning) {
        reply.content = text.toString();
        reply.reasoning = reasoning.isEmpty() ? null : reasoning.toString();
    }

    private static void usage(Message reply, ChatCompletion.Usage u) {
        if (u != null) {
            reply.promptTokens = u.promptTokens();
            reply.completionTokens = u.completionTokens();
        }
    }
}
