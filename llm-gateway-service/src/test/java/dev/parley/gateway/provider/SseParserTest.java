package dev.parley.gateway.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The provider's SSE stream, cut into events whatever pieces the network delivers it in. */
class SseParserTest {
    private static final String OPENAI_BODY = """
            data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

            : keep-alive

            data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"héllo 👋"}}]}

            data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}

            data: [DONE]

            """;

    private static final List<String> OPENAI_EVENTS = List.of(
            "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
            "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"héllo 👋\"}}]}",
            "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
            "{\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}",
            "[DONE]");

    /** Feeds the pieces, then ends the stream; returns every event delivered. */
    private static List<String> parse(List<byte[]> pieces) {
        List<String> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        for (byte[] piece : pieces) {
            parser.feed(Buffer.buffer(piece));
        }
        parser.end();
        return events;
    }

    private static List<String> parse(String body) {
        return parse(List.of(utf8(body)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> splitAt(byte[] bytes, int... cuts) {
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            pieces.add(Arrays.copyOfRange(bytes, from, cut));
            from = cut;
        }
        pieces.add(Arrays.copyOfRange(bytes, from, bytes.length));
        return pieces;
    }

    @Test
    void wholeOpenAiStreamInOneBufferGivesEveryEvent() {
        assertEquals(OPENAI_EVENTS, parse(OPENAI_BODY));
    }

    @Test
    void streamFedOneByteAtATimeGivesTheSameEvents() {
        byte[] bytes = utf8(OPENAI_BODY);
        List<byte[]> pieces = new ArrayList<>();
        for (byte b : bytes) {
            pieces.add(new byte[] {b});
        }
        assertEquals(OPENAI_EVENTS, parse(pieces));
    }

    @Test
    void streamCutInTwoAtEveryByteBoundaryGivesTheSameEvents() {
        byte[] bytes = utf8(OPENAI_BODY);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertEquals(OPENAI_EVENTS, parse(splitAt(bytes, cut)), "cut at byte " + cut);
        }
    }

    @Test
    void streamCutInRandomPiecesGivesTheSameEvents() {
        byte[] bytes = utf8(OPENAI_BODY);
        for (long seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            List<byte[]> pieces = new ArrayList<>();
            int from = 0;
            while (from < bytes.length) {
                int to = Math.min(bytes.length, from + random.nextInt(40));
                pieces.add(Arrays.copyOfRange(bytes, from, to)); // empty pieces included
                from = to;
            }
            assertEquals(OPENAI_EVENTS, parse(pieces), "seed " + seed);
        }
    }

    @Test
    void crlfLineEndingsAreAccepted() {
        assertEquals(OPENAI_EVENTS, parse(OPENAI_BODY.replace("\n", "\r\n")));
    }

    @Test
    void crlfSplitBetweenCrAndLfIsAccepted() {
        byte[] bytes = utf8("data: one\r\n\r\ndata: two\r\n\r\n");
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertEquals(List.of("one", "two"), parse(splitAt(bytes, cut)), "cut at byte " + cut);
        }
    }

    @Test
    void severalDataLinesAreJoinedWithNewlines() {
        assertEquals(List.of("first\nsecond\nthird"), parse("data: first\ndata: second\ndata: third\n\n"));
    }

    @Test
    void commentsEventIdAndRetryLinesAreIgnored() {
        String body = """
                : this is a comment
                event: message
                id: 42
                retry: 3000
                data: payload

                """;
        assertEquals(List.of("payload"), parse(body));
    }

    @Test
    void eventWithoutDataLinesDeliversNothing() {
        assertEquals(List.of(), parse("event: ping\nid: 1\n\n: keep-alive\n\n\n\n"));
    }

    @Test
    void eventNotClosedByBlankLineIsDeliveredAtEnd() {
        List<String> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        parser.feed(Buffer.buffer("data: closed\n\ndata: open"));
        assertEquals(List.of("closed"), events);
        parser.end();
        assertEquals(List.of("closed", "open"), events);
    }

    @Test
    void eventEndedByASingleNewlineIsDeliveredAtEnd() {
        assertEquals(List.of("last"), parse("data: last\n"));
    }

    @Test
    void dataWithoutSpaceAfterColonIsAccepted() {
        assertEquals(List.of("{\"a\":1}"), parse("data:{\"a\":1}\n\n"));
    }

    @Test
    void onlyOneSpaceAfterColonIsStripped() {
        assertEquals(List.of(" indented"), parse("data:  indented\n\n"));
    }

    @Test
    void multiByteCharactersSplitAcrossBuffersAreDecodedIntact() {
        String text = "héllo 👋";
        byte[] bytes = utf8("data: " + text + "\n\n");
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertEquals(List.of(text), parse(splitAt(bytes, cut)), "cut at byte " + cut);
        }
        int emoji = ("data: héllo ").getBytes(StandardCharsets.UTF_8).length; // the emoji's 4 bytes start here
        assertEquals(List.of(text), parse(splitAt(bytes, emoji + 1, emoji + 2, emoji + 3)));
    }
}
