package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' configuration comes from the launcher's environment only: {@code ./parley up} passes the operator's on
 * (documented), but a launcher inside a program ({@link Platform}: the e2e suite) must not pick up the shell's
 * {@code PARLEY_ADMIN_USERNAME} and friends (they beat the config files and used to replace the suite's own admin).
 */
class ServiceEnvironmentTest {

    @TempDir
    Path tmp;

    private static final Map<String, String> OPERATOR_SHELL = Map.of(
            "PATH", "/usr/bin:/bin", "HOME", "/home/op", "LANG", "C.UTF-8",
            "PARLEY_ADMIN_USERNAME", "operator", "PARLEY_ADMIN_PASSWORD", "operator-password",
            "PARLEY_PG_URL", "jdbc:postgresql://db:5432/", "PARLEY_JAVA_OPTS", "-Xmx32m",
            "QUARKUS_LOG_LEVEL", "DEBUG", "MP_JWT_VERIFY_ISSUER", "elsewhere", "SMALLRYE_CONFIG_PROFILE", "x");

    @Test
    void aProgramsPlatformIgnoresTheCallersConfigurationVariables() {
        Map<String, String> env = Platform.environment(OPERATOR_SHELL, tmp);
        assertEquals(tmp.toAbsolutePath().toString(), env.get("PARLEY_HOME"));
        assertEquals("/usr/bin:/bin", env.get("PATH"));
        for (String k : List.of("PARLEY_ADMIN_USERNAME", "PARLEY_ADMIN_PASSWORD", "PARLEY_PG_URL", "PARLEY_JAVA_OPTS",
                "QUARKUS_LOG_LEVEL", "MP_JWT_VERIFY_ISSUER", "SMALLRYE_CONFIG_PROFILE")) {
            assertFalse(env.containsKey(k), k);
        }
        Map<String, String> child = ServiceProcess.childEnvironment(OPERATOR_SHELL, env, Map.of("QUARKUS_CONFIG_LOCATIONS", "/c"));
        assertNull(child.get("PARLEY_ADMIN_USERNAME"), "the JVM's inherited variables do not leak past the launcher's");
        assertNull(child.get("QUARKUS_LOG_LEVEL"));
        assertEquals("/c", child.get("QUARKUS_CONFIG_LOCATIONS"));
        assertEquals("/home/op", child.get("HOME"));
        assertEquals(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"),
                Launcher.serviceCommand("java", tmp.resolve("quarkus-run.jar"), env).subList(1, 5),
                "the caller's PARLEY_JAVA_OPTS is not used either");
    }

    @Test
    void parleyUpPassesTheOperatorsVariablesOn() {
        Map<String, String> child = ServiceProcess.childEnvironment(OPERATOR_SHELL, OPERATOR_SHELL, Map.of("QUARKUS_CONFIG_LOCATIONS", "/c"));
        assertEquals("operator", child.get("PARLEY_ADMIN_USERNAME"));
        assertEquals("DEBUG", child.get("QUARKUS_LOG_LEVEL"));
        assertEquals(List.of("-Xmx32m"), Launcher.serviceCommand("java", tmp.resolve("quarkus-run.jar"), OPERATOR_SHELL).subList(1, 2));
    }

    @Test
    void aChildProcessSeesExactlyTheComputedEnvironment() throws Exception {
        Map<String, String> env = ServiceProcess.childEnvironment(System.getenv(), Map.of("PARLEY_MARK", "from-launcher"), Map.of());
        Path log = tmp.resolve("env.log");
        ServiceProcess p = ServiceProcess.start("env-probe", List.of("/usr/bin/env"), env, tmp, log);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        p.awaitStop(System.nanoTime());
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.contains("PARLEY_MARK=from-launcher"), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("PARLEY_") && !l.equals("PARLEY_MARK=from-launcher")),
                "no configuration variable of the test JVM reached the child: " + lines);
    }
}
