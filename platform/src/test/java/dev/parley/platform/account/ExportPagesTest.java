package dev.parley.platform.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ExportPagesTest {

    @SuppressWarnings("unchecked")
    private static List<Integer> sizes(Map<String, Object> files) {
        return files.values().stream().map(f -> ((List<Object>) ((Map<String, Object>) f).get("data")).size()).toList();
    }

    @Test
    void pagesCloseAtTheItemCountOrTheSizeWhicheverComesFirst() {
        Map<String, Object> files = new LinkedHashMap<>();
        ExportPages pages = new ExportPages(files::put, n -> "f-" + n + ".json", 3, 100);
        for (int i = 0; i < 7; i++) {
            pages.add(Map.of("i", i), 10);
        }
        assertEquals(3, pages.finish());
        assertEquals(List.of(3, 3, 1), sizes(files));

        files.clear();
        pages = new ExportPages(files::put, n -> "f-" + n + ".json", 1_000, 100);
        pages.add(Map.of("i", 0), 60);
        pages.add(Map.of("i", 1), 60); // would make 120: a new file
        pages.add(Map.of("i", 2), 500); // larger than a file: alone
        pages.add(Map.of("i", 3), 10);
        assertEquals(4, pages.finish());
        assertEquals(List.of(1, 1, 1, 1), sizes(files));
        assertEquals(List.of("f-1.json", "f-2.json", "f-3.json", "f-4.json"), List.copyOf(files.keySet()));
    }

    @Test
    void nothingToExportIsStillOneEmptyFile() {
        Map<String, Object> files = new LinkedHashMap<>();
        assertEquals(1, new ExportPages(files::put, n -> "m.json", 10, 10).finish());
        assertEquals(List.of(0), sizes(files));
    }

    @Test
    void sizesCountUtf8Bytes() {
        assertEquals(0, ExportPages.utf8((String) null));
        assertEquals("é".repeat(2_000).getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ExportPages.utf8("é".repeat(2_000)));
    }
}
