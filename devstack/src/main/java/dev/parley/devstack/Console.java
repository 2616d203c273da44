package dev.parley.devstack;

import java.io.PrintStream;

/**
 * The launcher's only output channel: one line per call, prefixed with its source padded to a fixed width,
 * e.g. {@code auth-service        | Listening on http://127.0.0.1:8081}. Never pass a secret in here.
 */
final class Console {

    static final String LAUNCHER = "parley";
    static final String POSTGRES = "postgres";

    private static final int WIDTH = Service.ALL.stream().mapToInt(s -> s.name().length()).max().orElse(12);
    private static final PrintStream OUT = System.out;
    /** When set (the e2e suite), only the launcher's own lines are printed; the services' output stays in their logs. */
    static volatile boolean launcherOnly;

    private Console() {
    }

    static void line(String source, String message) {
        if (launcherOnly && !LAUNCHER.equals(source)) {
            return;
        }
        StringBuilder sb = new StringBuilder(WIDTH + 3 + message.length());
        sb.append(source);
        while (sb.length() < WIDTH) {
            sb.append(' ');
        }
        sb.append(" | ").append(message);
        synchronized (OUT) {
            OUT.println(sb);
            OUT.flush();
        }
    }

    static void info(String message) {
        line(LAUNCHER, message);
    }
}
