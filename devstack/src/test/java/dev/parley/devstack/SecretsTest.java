package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

class SecretsTest {

    @TempDir
    Path tmp;

    @Test
    void firstRunCreatesOwnerOnlySecretFiles() throws Exception {
        Path dir = tmp.resolve("home").resolve("secrets");

        Secrets secrets = Secrets.loadOrCreate(dir);

        assertEquals("rwx------", perms(dir));
        for (Path file : List.of(secrets.jwtSigningKey(), secrets.providerMasterKey(), secrets.serviceClients())) {
            assertTrue(Files.isRegularFile(file), file.toString());
            assertEquals("rw-------", perms(file), file.toString());
            assertEquals(dir.toAbsolutePath(), file.getParent());
        }
        try (var listing = Files.list(dir)) {
            assertEquals(3, listing.count(), "no temporary files left behind");
        }
    }

    @Test
    void generatedSecretsHaveTheExpectedFormats() throws Exception {
        Secrets secrets = Secrets.loadOrCreate(tmp);

        String pem = Files.readString(secrets.jwtSigningKey());
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(pem.endsWith("-----END PRIVATE KEY-----\n"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""));
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        assertEquals(2048, key.getModulus().bitLength());

        List<String> master = Files.readAllLines(secrets.providerMasterKey());
        assertEquals(1, master.size());
        assertTrue(master.get(0).startsWith("1:"));
        assertEquals(32, Base64.getDecoder().decode(master.get(0).substring(2)).length);

        Map<String, String> clients = secrets.clientSecrets();
        assertEquals(Service.ALL.stream().map(Service::name).toList(), List.copyOf(clients.keySet()));
        for (String secret : clients.values()) {
            assertEquals(32, Base64.getUrlDecoder().decode(secret).length);
        }
        assertEquals(5, new HashSet<>(clients.values()).size(), "one different secret per service");
        String file = Files.readString(secrets.serviceClients());
        clients.forEach((service, secret) -> assertTrue(file.contains(service + "=" + secret + "\n"), service));
    }

    @Test
    void laterRunsReuseTheSecrets() throws Exception {
        Secrets first = Secrets.loadOrCreate(tmp);
        Map<Path, String> contents = List.of(first.jwtSigningKey(), first.providerMasterKey(), first.serviceClients()).stream()
                .collect(Collectors.toMap(p -> p, SecretsTest::read));

        Secrets second = Secrets.loadOrCreate(tmp);

        assertEquals(first.clientSecrets(), second.clientSecrets());
        contents.forEach((file, content) -> assertEquals(content, read(file), file.toString()));
    }

    @Test
    void reuseTightensLoosePermissionsAndAddsMissingServices() throws Exception {
        Secrets first = Secrets.loadOrCreate(tmp);
        Files.setPosixFilePermissions(first.serviceClients(), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(first.jwtSigningKey(), PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.writeString(first.serviceClients(), "auth-service=" + first.clientSecret(Service.AUTH) + "\n");

        Secrets second = Secrets.loadOrCreate(tmp);

        assertEquals("rw-------", perms(first.serviceClients()));
        assertEquals("rw-------", perms(first.jwtSigningKey()));
        assertEquals(first.clientSecret(Service.AUTH), second.clientSecret(Service.AUTH), "existing secrets are kept");
        assertFalse(first.clientSecret(Service.USAGE).equals(second.clientSecret(Service.USAGE)), "missing ones are new");
        assertEquals(5, second.clientSecrets().size());
    }

    @Test
    void aDamagedKeyIsReportedNotReplaced() throws Exception {
        Secrets first = Secrets.loadOrCreate(tmp);
        Files.writeString(first.providerMasterKey(), "not a key\n");

        assertThrows(LaunchException.class, () -> Secrets.loadOrCreate(tmp));
        assertEquals("not a key\n", Files.readString(first.providerMasterKey()));
    }

    @Test
    void secretsNeverAppearInToString() throws Exception {
        Secrets secrets = Secrets.loadOrCreate(tmp);
        String text = secrets.toString();
        secrets.clientSecrets().values().forEach(secret -> assertFalse(text.contains(secret)));
    }

    private static String perms(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
