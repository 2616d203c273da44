package dev.parley.devstack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Echoes the lines appended to a log file to the launcher's output, prefixed with a source name. Children write to
 * files rather than to pipes: when a process exits, the JDK may close its pipe before a reader got the last lines (a
 * service's shutdown messages were lost that way); a file keeps every line, and stays for later reading.
 */
final class LogTail implements AutoCloseable {

    private final Path file;
    private final String source;
    private final Thread thread;
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean running = true;
    private long position;

    private LogTail(Path file, String source) {
        this.file = file;
        this.source = source;
        this.thread = new Thread(this::run, source + "-log");
        this.thread.setDaemon(true);
    }

    /** Creates (or empties) a log file, owner-only: logs can hold user data. */
    static void createEmpty(Path file) throws IOException {
        PrivateFiles.directory(file.toAbsolutePath().getParent());
        PrivateFiles.write(file, "");
    }

    static LogTail start(Path file, String source) throws IOException {
        LogTail tail = new LogTail(file, source);
        tail.position = Files.size(file);
        tail.thread.start();
        return tail;
    }

    private void run() {
        while (running) {
            drain();
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                break;
            }
        }
    }

    private synchronized void drain() {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length < position) {
                position = 0; // truncated
            }
            while (length > position) {
                byte[] bytes = new byte[(int) Math.min(length - position, 1 << 16)];
                raf.seek(position);
                raf.readFully(bytes);
                position += bytes.length;
                partial.append(new String(bytes, StandardCharsets.UTF_8));
                int newline;
                while ((newline = partial.indexOf("\n")) >= 0) {
                    int end = newline > 0 && partial.charAt(newline - 1) == '\r' ? newline - 1 : newline;
                    Console.line(source, partial.substring(0, end));
                    partial.delete(0, newline + 1);
                }
            }
        } catch (IOException e) {
            // The file went away; nothing to echo.
        }
    }

    /** Stops following the file after echoing whatever it holds now. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
        synchronized (this) {
            if (partial.length() > 0) {
                Console.line(source, partial.toString());
                partial.setLength(0);
            }
        }
    }
}
