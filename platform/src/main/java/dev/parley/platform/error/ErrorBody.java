package dev.parley.platform.error;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/** The one error shape of every Parley API (the gateway's OpenAI surface excepted). */
@RegisterForReflection
public record ErrorBody(Detail error, String requestId) {

    @RegisterForReflection
    public record Detail(String code, String message, Map<String, Object> details) { }

    public static ErrorBody of(String code, String message, Map<String, Object> details, String requestId) {
        return new ErrorBody(new Detail(code, message, details == null ? Map.of() : details), requestId);
    }
}
