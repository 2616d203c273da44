package dev.parley.platform.account;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * An export's records as numbered JSON files ({@code {"data":[…]}}), each at most {@code maxItems} records and about
 * {@code maxBytes} (the caller's estimate of each record): auth-service refuses a file over 8 MB, so a user with a
 * few long messages must not make a file of 5,000 of them. A record larger than the bound goes alone in its file.
 */
public final class ExportPages {
    /** Half of auth-service's 8 MB per file: room for JSON escaping and the fields not counted. */
    public static final long MAX_BYTES = 4L * 1024 * 1024;

    private final BiConsumer<String, Object> file;
    private final IntFunction<String> name;
    private final int maxItems;
    private final long maxBytes;
    private List<Map<String, Object>> page = new ArrayList<>();
    private long bytes;
    private int written;

    /** {@code name} gives the n-th file's name, from 1. */
    public ExportPages(BiConsumer<String, Object> file, IntFunction<String> name, int maxItems, long maxBytes) {
        this.file = file;
        this.name = name;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
    }

    /** Adds one record of about {@code size} bytes of JSON, writing the page before it when it would overflow. */
    public void add(Map<String, Object> record, long size) {
        if (!page.isEmpty() && (page.size() >= maxItems || bytes + size > maxBytes)) {
            flush();
        }
        page.add(record);
        bytes += size;
    }

    /** Writes the last page (an empty first file when there was nothing); answers how many files were written. */
    public int finish() {
        if (!page.isEmpty() || written == 0) {
            flush();
        }
        return written;
    }

    /** The UTF-8 size of texts (null ones count nothing): the part of a record that can be large. */
    public static long utf8(String... texts) {
        long n = 0;
        for (String t : texts) {
            if (t != null) {
                n += t.length() < 1_000 ? t.length() * 3L : t.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }

    private void flush() {
        file.accept(name.apply(++written), Map.of("data", page));
        page = new ArrayList<>();
        bytes = 0;
    }
}
