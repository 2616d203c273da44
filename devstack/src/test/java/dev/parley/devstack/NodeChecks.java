package dev.parley.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs one of deploy/checks' node scripts. They need node and the npm packages of deploy/checks ({@code npm ci}
 * there; .ci/run does it). Where either is missing the calling test is reported as skipped with that reason, and a
 * line on stderr says so: never a silent pass.
 */
final class NodeChecks {
    static final Path DIR = Path.of("..", "deploy", "checks").toAbsolutePath().normalize();

    private NodeChecks() {
    }

    static String run(String script, List<Path> files) throws IOException, InterruptedException {
        if (!Files.isDirectory(DIR.resolve("node_modules"))) {
            skip("deploy/checks has no node_modules (run `npm ci --prefix deploy/checks`; .ci/run does)");
        }
        List<String> command = new ArrayList<>(List.of("node", script));
        files.forEach(f -> command.add(f.toString()));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            skip("node is not installed (.ci/run installs it)");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " did not finish: " + out);
        }
        assertEquals(0, p.exitValue(), script + " failed:\n" + out);
        return out;
    }

    private static void skip(String why) {
        System.err.println("SKIPPED (" + why + ")");
        Assumptions.abort(why);
    }
}
