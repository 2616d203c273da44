package dev.parley.platform.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Where the other services are ({@code parley.<service>.url}), for the few callers that cannot be a declarative REST
 * client (the gateway's non-blocking proxy, streamed reads, LangChain4j's OpenAI client). REST clients take the same
 * keys through {@code quarkus.rest-client.parley-<service>.url} (platform defaults). Trailing slashes are dropped by
 * {@link #base(String)}.
 */
@ConfigMapping(prefix = "parley")
public interface ServiceUrls {

    @WithName("auth.url")
    @WithDefault("http://127.0.0.1:8081")
    String auth();

    @WithName("session.url")
    @WithDefault("http://127.0.0.1:8082")
    String session();

    @WithName("gateway.url")
    @WithDefault("http://127.0.0.1:8083")
    String gateway();

    @WithName("memory.url")
    @WithDefault("http://127.0.0.1:8084")
    String memory();

    @WithName("usage.url")
    @WithDefault("http://127.0.0.1:8085")
    String usage();

    /** A base URL without its trailing slashes, ready for {@code base + "/path"}. */
    static String base(String url) {
        int end = url.length();
        while (end > 0 && url.charAt(end - 1) == '/') {
            end--;
        }
        return url.substring(0, end);
    }
}
