package dev.parley.devstack;

/** A failure the user can act on: its message is printed as is (no stack trace) and the launcher exits non-zero. */
public final class LaunchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
