package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

class ServiceConfigsTest {

    @TempDir
    Path tmp;

    @Test
    void everyServiceGetsAnOwnerOnlyFileWithItsPortDatabaseAndOwnSecret() throws Exception {
        Secrets secrets = Secrets.loadOrCreate(tmp.resolve("secrets"));
        Map<Service, Path> files = ServiceConfigs.writeAll(tmp.resolve("config"), PgServer.embedded(54329), secrets);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("config"))));
        for (Service service : Service.ALL) {
            Path file = files.get(service);
            assertEquals(tmp.resolve("config").resolve(service.name() + ".properties"), file);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            Properties p = load(file);
            assertEquals("127.0.0.1", p.getProperty("quarkus.http.host"));
            assertEquals(String.valueOf(service.port()), p.getProperty("quarkus.http.port"));
            assertEquals("jdbc:postgresql://127.0.0.1:54329/" + service.database(), p.getProperty("quarkus.datasource.jdbc.url"));
            assertEquals("postgres", p.getProperty("quarkus.datasource.username"));
            assertEquals("", p.getProperty("quarkus.datasource.password"));
            assertEquals(service.name(), p.getProperty("parley.service.client-id"));
            assertEquals(secrets.clientSecret(service), p.getProperty("parley.service.client-secret"));
            assertEquals("http://127.0.0.1:8081", p.getProperty("parley.auth.url"));
            assertEquals("http://127.0.0.1:8082", p.getProperty("parley.session.url"));
            assertEquals("http://127.0.0.1:8083", p.getProperty("parley.gateway.url"));
            assertEquals("http://127.0.0.1:8084", p.getProperty("parley.memory.url"));
            assertEquals("http://127.0.0.1:8085", p.getProperty("parley.usage.url"));
            boolean gateway = service.equals(Service.GATEWAY);
            assertEquals(gateway ? "true" : null, p.getProperty("parley.egress.allow-loopback"),
                    "only the gateway, and locally, may call model servers on loopback");
            assertEquals(gateway ? "true" : null, p.getProperty("parley.egress.allow-private"));
        }
        assertEquals("parley_auth", Service.AUTH.database());
        assertEquals("parley_gateway", Service.GATEWAY.database());
    }

    @Test
    void onlyAuthServiceKnowsTheSigningKeyAndEveryClientSecret() throws Exception {
        Secrets secrets = Secrets.loadOrCreate(tmp.resolve("secrets"));
        Map<Service, Path> files = ServiceConfigs.writeAll(tmp.resolve("config"), PgServer.embedded(54329), secrets);

        Properties auth = load(files.get(Service.AUTH));
        assertEquals(secrets.jwtSigningKey().toString(), auth.getProperty("parley.auth.jwt.signing-key-location"));
        assertTrue(Path.of(auth.getProperty("parley.auth.jwt.signing-key-location")).isAbsolute());
        assertEquals(secrets.providerMasterKey().toString(), auth.getProperty("parley.auth.provider-keys.master-key-location"));
        for (Service client : Service.ALL) {
            assertEquals(secrets.clientSecret(client), auth.getProperty("parley.auth.service-clients." + client.name()));
        }
        for (Service service : Service.ALL) {
            if (service.equals(Service.AUTH)) {
                continue;
            }
            String text = Files.readString(files.get(service));
            assertFalse(text.contains("parley.auth.jwt"), service.name());
            assertFalse(text.contains("parley.auth.service-clients"), service.name());
            for (Service other : Service.ALL) {
                if (!other.equals(service)) {
                    assertFalse(text.contains(secrets.clientSecret(other)), service.name() + " must not see " + other.name() + "'s secret");
                }
            }
        }
    }

    @Test
    void anExternalServerKeepsItsQueryAndCredentialsSurviveEscaping() throws Exception {
        Secrets secrets = Secrets.loadOrCreate(tmp.resolve("secrets"));
        PgServer db = PgServer.external("jdbc:postgresql://db.example:5432/admin?sslmode=require", "parley", "p@ss w\\ord#=:");
        assertEquals("admin", db.maintenanceDb());
        assertFalse(db.toString().contains("p@ss"));

        Properties p = load(ServiceConfigs.writeAll(tmp.resolve("config"), db, secrets).get(Service.MEMORY));

        assertEquals("jdbc:postgresql://db.example:5432/parley_memory?sslmode=require", p.getProperty("quarkus.datasource.jdbc.url"));
        assertEquals("parley", p.getProperty("quarkus.datasource.username"));
        assertEquals("p@ss w\\ord#=:", p.getProperty("quarkus.datasource.password"));
    }

    @Test
    void externalUrlsAreParsed() {
        PgServer bare = PgServer.external("jdbc:postgresql://db:5432/", null, null);
        assertEquals("jdbc:postgresql://db:5432/parley_auth", bare.jdbcUrl("parley_auth"));
        assertEquals("postgres", bare.maintenanceDb());
        assertEquals("postgres", bare.user());
        assertEquals("", bare.password());
        assertEquals("jdbc:postgresql://db:5432/parley_auth", PgServer.external("jdbc:postgresql://db:5432", null, null).jdbcUrl("parley_auth"));
        assertEquals("jdbc:postgresql://db/parley_auth?ssl=true", PgServer.external("jdbc:postgresql://db?ssl=true", null, null).jdbcUrl("parley_auth"));
        assertThrows(LaunchException.class, () -> PgServer.external("postgres://db:5432/", null, null));
    }

    @Test
    void valuesThatWouldBeReadAsExpressionsAreRefused() throws Exception {
        Secrets secrets = Secrets.loadOrCreate(tmp.resolve("secrets"));
        PgServer db = PgServer.external("jdbc:postgresql://db:5432/", "u", "a${HOME}b");

        LaunchException e = assertThrows(LaunchException.class, () -> ServiceConfigs.writeAll(tmp.resolve("config"), db, secrets));
        assertFalse(e.getMessage().contains("a${HOME}b"), "the message must not echo the password");
    }

    private static Properties load(Path file) throws Exception {
        Properties p = new Properties();
        try (StringReader reader = new StringReader(Files.readString(file))) {
            p.load(reader);
        }
        return p;
    }
}
