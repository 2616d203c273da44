package dev.parley.auth.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.parley.auth.config.AuthConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/**
 * The environment-variable names that k8s/secrets.template.yaml (and the Helm chart) give auth-service's map-valued
 * settings reach the right keys through SmallRye Config's real environment source and auth-service's real mapping.
 */
class ServiceClientEnvNamesTest {
    private static final Pattern ENTRY = Pattern.compile("^  ([A-Z0-9_]+): .*$");

    @Test
    void everyServiceClientAndMasterKeyInTheSecretTemplateReachesAuthService() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : authSecretNames()) {
            env.put(name, "value-of-" + name);
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                .withMapping(AuthConfig.class)
                .build();
        AuthConfig auth = config.getConfigMapping(AuthConfig.class);

        Map<String, String> clients = ServiceClients.byClientId(auth.serviceClients());
        for (String service : new String[] {"auth-service", "session-service", "llm-gateway-service", "memory-service",
                "usage-service"}) {
            String envName = "PARLEY_AUTH_SERVICE_CLIENTS__" + service.toUpperCase().replace('-', '_') + "__";
            assertTrue(env.containsKey(envName), "the template names " + envName);
            assertEquals("value-of-" + envName, clients.get(service), service);
        }
        assertEquals(5, clients.size(), clients.keySet().toString());
        assertEquals("value-of-PARLEY_AUTH_PROVIDER_KEYS_MASTER_KEYS__1__", auth.providerKeys().masterKeys().get("1"));
    }

    @Test
    void aSingleUnderscoreFormIsNotAClientAndOnlyCanonicalIdsAreLookedUp() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("PARLEY_AUTH_SERVICE_CLIENTS_SESSION_SERVICE", "x"), 300))
                .withMapping(AuthConfig.class)
                .build();
        assertTrue(config.getConfigMapping(AuthConfig.class).serviceClients().isEmpty());
        assertEquals("llm-gateway-service", ServiceClients.canonical("LLM.gateway_service"));
    }

    /** The keys of the auth-service Secret in the template (the first document). */
    private static Iterable<String> authSecretNames() throws IOException {
        Path template = Path.of("..", "k8s", "secrets.template.yaml");
        String text = Files.readString(template);
        String authDoc = text.substring(text.indexOf("name: auth-service-secrets"), text.indexOf("\n---"));
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String line : authDoc.split("\n")) {
            Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        assertTrue(names.size() >= 10, names.toString());
        return names;
    }
}
