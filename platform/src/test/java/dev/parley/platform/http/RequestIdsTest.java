package dev.parley.platform.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void wellFormedIdsAreKept() {
        assertEquals("abc-123_x.y:z", RequestIds.accept("abc-123_x.y:z"));
    }

    @Test
    void absentOrUnsafeIdsAreReplacedByAUuid() {
        for (String bad : new String[] {null, "", "a b", "line\nbreak", "<script>", "x".repeat(129)}) {
            String id = RequestIds.accept(bad);
            assertNotEquals(bad, id);
            assertDoesNotThrow(() -> UUID.fromString(id));
        }
    }
}
