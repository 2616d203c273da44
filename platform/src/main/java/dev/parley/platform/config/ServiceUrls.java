package dev.parley.platform.config;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;

/**
 * Where the other services are ({@code parley.<service>.url}), for the few callers that cannot be a declarative REST
 * client (the gateway's non-blocking proxy, streamed reads, LangChain4j's OpenAI client). REST clients take the same
 * keys through {@code quarkus.rest-client.parley-<service>.url} (platform defaults). Trailing slashes are dropped.
 *
 * <p>Not a {@code @ConfigMapping}: a mapping of the {@code parley} root would claim every {@code parley.*} key (so
 * any key no mapping declares, such as {@code parley.auth.jwks-location}, would fail the start), and one per
 * {@code parley.<service>} prefix would do the same inside the services' own namespaces. This one class is still the
 * only place the keys are read.
 */
@ApplicationScoped
public class ServiceUrls {
    private final String auth;
    private final String session;
    private final String gateway;
    private final String memory;
    private final String usage;

    public ServiceUrls(Config config) {
        this.auth = read(config, "parley.auth.url", "http://127.0.0.1:8081");
        this.session = read(config, "parley.session.url", "http://127.0.0.1:8082");
        this.gateway = read(config, "parley.gateway.url", "http://127.0.0.1:8083");
        this.memory = read(config, "parley.memory.url", "http://127.0.0.1:8084");
        this.usage = read(config, "parley.usage.url", "http://127.0.0.1:8085");
    }

    private static String read(Config config, String key, String fallback) {
        return base(config.getOptionalValue(key, String.class).filter(v -> !v.isBlank()).orElse(fallback));
    }

    public String auth() {
        return auth;
    }

    public String session() {
        return session;
    }

    public String gateway() {
        return gateway;
    }

    public String memory() {
        return memory;
    }

    public String usage() {
        return usage;
    }

    /** A base URL without its trailing slashes, ready for {@code base + "/path"}. */
    public static String base(String url) {
        int end = url.length();
        while (end > 0 && url.charAt(end - 1) == '/') {
            end--;
        }
        return url.substring(0, end);
    }
}
