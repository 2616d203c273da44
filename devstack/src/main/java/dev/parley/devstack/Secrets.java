package dev.parley.devstack;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The platform's local secrets in {@code <PARLEY_HOME>/secrets/} (mode 700, files mode 600): generated on the first run,
 * reused afterwards. Nothing here is ever printed; {@link #toString()} is redacted.
 *
 * @param jwtSigningKey     RSA 2048 private key, PKCS#8 PEM, that auth-service signs user tokens with
 * @param providerMasterKey lines {@code <id>:<base64 of 32 bytes>}: the key auth-service encrypts provider keys with
 * @param serviceClients    the service-clients.properties file
 * @param clientSecrets     service name to its client secret (32 random bytes, base64url)
 */
public record Secrets(Path jwtSigningKey, Path providerMasterKey, Path serviceClients, Map<String, String> clientSecrets) {

    static final String JWT_SIGNING_KEY = "jwt-signing-key.pem";
    static final String PROVIDER_MASTER_KEY = "provider-key-master.key";
    static final String SERVICE_CLIENTS = "service-clients.properties";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern MASTER_KEY_LINE = Pattern.compile("\\d+:[A-Za-z0-9+/]+={0,2}");

    public Secrets {
        clientSecrets = Collections.unmodifiableMap(new LinkedHashMap<>(clientSecrets));
    }

    public String clientSecret(Service service) {
        String secret = clientSecrets.get(service.name());
        if (secret == null) {
            throw new IllegalStateException("no client secret for " + service.name());
        }
        return secret;
    }

    @Override
    public String toString() {
        return "Secrets[" + jwtSigningKey.getParent() + ", client secrets for " + clientSecrets.keySet() + "]";
    }

    /** Loads the secrets in {@code dir}, generating whatever is missing. Returns the paths as absolute paths. */
    public static Secrets loadOrCreate(Path dir) throws IOException {
        dir = PrivateFiles.directory(dir.toAbsolutePath().normalize());
        List<String> notes = new ArrayList<>();

        Path jwt = dir.resolve(JWT_SIGNING_KEY);
        if (Files.exists(jwt)) {
            tighten(jwt, notes);
            checkPrivateKey(jwt);
        } else {
            PrivateFiles.write(jwt, newRsaPrivateKeyPem());
            notes.add("generated secrets/" + JWT_SIGNING_KEY + " (RSA 2048)");
        }

        Path master = dir.resolve(PROVIDER_MASTER_KEY);
        if (Files.exists(master)) {
            tighten(master, notes);
            checkMasterKey(master);
        } else {
            PrivateFiles.write(master, "1:" + Base64.getEncoder().encodeToString(randomBytes(32)) + "\n");
            notes.add("generated secrets/" + PROVIDER_MASTER_KEY);
        }

        Path clients = dir.resolve(SERVICE_CLIENTS);
        Map<String, String> secrets = new LinkedHashMap<>();
        if (Files.exists(clients)) {
            tighten(clients, notes);
            Properties existing = new Properties();
            try (StringReader reader = new StringReader(Files.readString(clients, StandardCharsets.UTF_8))) {
                existing.load(reader);
            }
            existing.stringPropertyNames().forEach(name -> secrets.put(name, existing.getProperty(name).trim()));
        }
        List<String> added = new ArrayList<>();
        for (Service service : Service.ALL) {
            String current = secrets.get(service.name());
            if (current == null || current.isEmpty()) {
                secrets.put(service.name(), newClientSecret());
                added.add(service.name());
            }
        }
        if (!added.isEmpty()) {
            PrivateFiles.write(clients, clientsFile(secrets));
            notes.add("generated client secrets in secrets/" + SERVICE_CLIENTS + " for " + String.join(", ", added));
        }

        notes.forEach(Console::info);
        return new Secrets(jwt, master, clients, orderedByService(secrets));
    }

    static String newClientSecret() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    private static Map<String, String> orderedByService(Map<String, String> secrets) {
        Map<String, String> ordered = new LinkedHashMap<>();
        Service.ALL.forEach(s -> ordered.put(s.name(), secrets.get(s.name())));
        secrets.forEach(ordered::putIfAbsent);
        return ordered;
    }

    private static String clientsFile(Map<String, String> secrets) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Generated by devstack (./parley up). One client secret per service; keep this file private.\n");
        orderedByService(secrets).forEach((name, secret) -> sb.append(name).append('=').append(secret).append('\n'));
        return sb.toString();
    }

    private static String newRsaPrivateKeyPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8);
            return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA key", e);
        }
    }

    private static void checkPrivateKey(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        try {
            if (begin < 0 || end < begin) {
                throw new IllegalArgumentException("no PKCS#8 PEM block");
            }
            String base64 = text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end).replaceAll("\\s", "");
            KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new LaunchException(pem + " is not an RSA private key in PKCS#8 PEM (" + e.getClass().getSimpleName()
                    + "). Delete it to have a new one generated (existing user tokens become invalid).");
        }
    }

    private static void checkMasterKey(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        boolean valid = !lines.isEmpty() && lines.stream().allMatch(Secrets::isMasterKeyLine);
        if (!valid) {
            throw new LaunchException(file + " must hold lines '<id>:<base64 of 32 bytes>'. Deleting it makes the stored"
                    + " provider keys unreadable; delete the whole data folder to start over.");
        }
    }

    private static boolean isMasterKeyLine(String line) {
        if (!MASTER_KEY_LINE.matcher(line).matches()) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(line.substring(line.indexOf(':') + 1)).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void tighten(Path file, List<String> notes) throws IOException {
        if (PrivateFiles.ownerOnly(file)) {
            notes.add("tightened the permissions of " + file + " to 600");
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
