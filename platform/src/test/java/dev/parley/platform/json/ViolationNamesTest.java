package dev.parley.platform.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.platform.error.ApiException;
import dev.parley.platform.error.BodyErrors;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.HibernateValidator;
import org.junit.jupiter.api.Test;

/** Bean Validation names each field as the client sent it ({@link JsonFieldNames}), and {@link BodyErrors} keeps that name. */
class ViolationNamesTest {
    private final ObjectMapper mapper = StrictJsonTest.mapper();
    private final Validator validator = Validation.byProvider(HibernateValidator.class).configure()
            .propertyNodeNameProvider(new JsonFieldNames(mapper)).buildValidatorFactory().getValidator();

    @JsonBody
    record Line(@NotNull(message = "each line has a role") String roleName) { }

    @JsonBody
    record Body(Optional<@Size(max = 3, message = "at most 3 characters") String> systemPrompt,
                List<@NotBlank(message = "each keyword is text") String> keyWords,
                @Valid List<Line> messageLines,
                @Valid Line firstLine) { }

    @Test
    void violationsNameTheFieldsAsSent() throws Exception {
        Body body = mapper.readValue("""
                {"system_prompt":"long","key_words":["a"," "],"message_lines":[{"role_name":"user"},{}],"first_line":{}}""",
                Body.class);
        ApiException e = BodyErrors.of(validator.validate(body));
        assertEquals(400, e.status());
        assertEquals("VALIDATION_FAILED", e.code());
        assertEquals(Map.of("fields", Map.of("system_prompt", "at most 3 characters", "key_words[1]", "each keyword is text",
                "message_lines[1].role_name", "each line has a role", "first_line.role_name", "each line has a role")), e.details());
    }
}
