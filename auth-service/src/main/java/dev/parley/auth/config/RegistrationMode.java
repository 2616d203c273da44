package dev.parley.auth.config;

import java.util.Locale;

/** Who may create an account with {@code POST /api/v1/auth/register} ({@code parley.auth.registration}). */
public enum RegistrationMode {
    /** Anyone. */
    OPEN,
    /** Whoever has a valid invite code made by an admin. */
    INVITE,
    /** Nobody: admins create accounts ({@code POST /api/v1/users}). */
    CLOSED;

    /** The name on the wire and in configuration: {@code open}, {@code invite}, {@code closed}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
