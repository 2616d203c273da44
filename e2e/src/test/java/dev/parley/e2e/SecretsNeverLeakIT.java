package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Last: every secret of the whole run — the admin's and users' passwords, provider keys (users' and the operator's),
 * tokens and access keys, the provider-key master key, the signing key and the services' client secrets — searched
 * for in every service's log output, in every response the suite received, and in every service's metrics.
 */
@Order(100)
class SecretsNeverLeakIT {
    private final E2e e2e = E2e.get();

    /** name → value; values shorter than 16 characters would match by chance and are not planted. */
    private Map<String, String> secrets(boolean includingTokens) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("the admin's password", E2e.ADMIN_PASSWORD);
        int i = 0;
        for (String s : E2e.PASSWORDS_AND_PROVIDER_KEYS) {
            out.put("password or provider key #" + i++ + " (" + s.substring(0, 6) + "…)", s);
        }
        out.put("operator key a", "sk-e2e-operator-a-not-a-real-key");
        out.put("operator key b", "sk-e2e-operator-b-not-a-real-key");
        Path secrets = e2e.platform.home().resolve("secrets");
        String master = Files.readString(secrets.resolve("provider-key-master.key")).strip();
        for (String line : master.split("\n")) {
            String value = line.contains(":") ? line.substring(line.indexOf(':') + 1).strip() : line.strip();
            if (!value.isEmpty() && !line.startsWith("#")) {
                out.put("the provider-key master key", value);
            }
        }
        String pem = Files.readString(secrets.resolve("jwt-signing-key.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        out.put("the signing key (a 64-character slice)", pem.substring(pem.length() / 2, pem.length() / 2 + 64));
        Properties clients = new Properties();
        try (var in = Files.newBufferedReader(secrets.resolve("service-clients.properties"))) {
            clients.load(in);
        }
        clients.forEach((k, v) -> out.put("client secret of " + k, v.toString()));
        if (includingTokens) {
            int t = 0;
            for (String token : E2e.TOKENS) {
                // a JWT's signature (or a whole access key) is what must never be written down
                String part = token.startsWith("pk-") ? token : token.substring(token.lastIndexOf('.') + 1);
                out.put("token or access key #" + t++, part);
            }
        }
        out.values().removeIf(v -> v.length() < 16);
        return out;
    }

    @Test
    void noSecretInAnyLogAnyResponseOrAnyMetric() throws IOException {
        Map<String, String> all = secrets(true);
        Map<String, String> neverReturned = secrets(false);
        assertTrue(all.size() > 30, "secrets planted: " + all.size());
        List<String> leaks = new ArrayList<>();

        // the services' (and PostgreSQL's) complete log output of the run
        long bytes = 0;
        try (Stream<Path> logs = Files.list(e2e.platform.logs())) {
            for (Path log : logs.toList()) {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                bytes += text.length();
                all.forEach((name, value) -> {
                    if (text.contains(value)) {
                        leaks.add(name + " in " + log.getFileName());
                    }
                });
            }
        }
        assertTrue(bytes > 10_000, "logs read: " + bytes + " bytes");

        // every response (tokens and access keys are handed out by design, once; the rest never)
        int responses = 0;
        for (String body : Api.SEEN) {
            responses++;
            neverReturned.forEach((name, value) -> {
                if (body.contains(value)) {
                    leaks.add(name + " in a response: " + body.substring(0, Math.min(200, body.length())));
                }
            });
        }
        assertTrue(responses > 1000, "responses read: " + responses);

        // metrics
        for (String service : SecurityIT.SERVICES) {
            String metrics = new Api(e2e.platform.serviceUrl(service)).get("/q/metrics", null).text();
            all.forEach((name, value) -> {
                if (metrics.contains(value)) {
                    leaks.add(name + " in " + service + "'s metrics");
                }
            });
        }
        assertEquals(List.of(), leaks);
    }
}
