package dev.parley.session.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.ParleyTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * This service's ObjectMapper on its request body records, with the platform's {@code @JsonBody} rules in effect (the
 * customizer comes from the platform jar): an Optional component tells absent (null) from JSON null (empty) from a
 * value, a JsonNode component absent (null) from JSON null (NullNode); strict records refuse unknown fields, the others
 * ignore them; a number where text is expected stays a failure.
 */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
class RequestsJsonTest {
    @Inject
    ObjectMapper mapper;

    @Test
    void anOptionalFieldIsNullWhenAbsentEmptyWhenNullAndTheValueOtherwise() throws Exception {
        UUID id = UUID.randomUUID();
        assertNull(mapper.readValue("{\"content\":\"hi\"}", Requests.NewMessage.class).parentMessageId(), "absent: the active branch");
        assertEquals(Optional.empty(), mapper.readValue("{\"content\":\"hi\",\"parent_message_id\":null}", Requests.NewMessage.class)
                .parentMessageId(), "null: from the root");
        assertEquals(Optional.of(id), mapper.readValue("{\"content\":\"hi\",\"parent_message_id\":\"" + id + "\"}",
                Requests.NewMessage.class).parentMessageId());

        Requests.SessionFields patch = mapper.readValue("{\"title\":null,\"model\":\"openai/gpt-4o-mini\",\"llm_params\":null}",
                Requests.SessionFields.class);
        assertEquals(Optional.empty(), patch.title());
        assertEquals(Optional.of("openai/gpt-4o-mini"), patch.model());
        assertNull(patch.systemPrompt(), "left out: unchanged");
        assertNull(patch.memoryMode());
        assertTrue(patch.llmParams().isNull(), "null: emptied");
        assertNull(patch.metadata(), "left out: unchanged");
    }

    @Test
    void otherTypesKeepJacksonsOptionalHandling() throws Exception {
        record Plain(Optional<String> value) { }
        assertEquals(Optional.empty(), mapper.readValue("{}", Plain.class).value());
    }

    @Test
    void strictRecordsRefuseUnknownFieldsAndTheOthersIgnoreThem() throws Exception {
        UnrecognizedPropertyException e = assertThrows(UnrecognizedPropertyException.class,
                () -> mapper.readValue("{\"titel\":\"typo\"}", Requests.SessionFields.class));
        assertEquals("titel", e.getPropertyName());
        assertEquals("hi", mapper.readValue("{\"content\":\"hi\",\"extra\":1}", Requests.NewMessage.class).content());
        assertThrows(InvalidFormatException.class, () -> mapper.readValue("{\"title\":5}", Requests.SessionFields.class));
    }
}
