package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus: the alert rules load ({@code promtool check rules}) and behave as their unit tests say
 * ({@code promtool test rules}). promtool comes from Debian's {@code prometheus} package, which .ci/run installs;
 * where it is missing this test is reported as skipped, with that reason, never as passed.
 */
class PrometheusRulesTest {
    private static final Path DIR = Path.of("..", "deploy", "prometheus").toAbsolutePath().normalize();

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("promtool is not installed (apt-get install prometheus; .ci/run installs it): rules not checked");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish: " + out);
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    @Test
    void theRulesLoadAndPassTheirUnitTests() throws Exception {
        run(List.of("promtool", "check", "rules", "parley.rules.yml"));
        run(List.of("promtool", "test", "rules", "parley.test.yml"));
    }
}
