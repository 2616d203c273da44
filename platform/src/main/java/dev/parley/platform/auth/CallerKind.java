package dev.parley.platform.auth;

/** The three kinds of caller every Parley service accepts. */
public enum CallerKind {
    /** A person, with an RS256 access token from auth-service. */
    USER,
    /** A program, with a Parley access key {@code pk-…} (verified by auth-service). */
    ACCESS_KEY,
    /** Another Parley service, with a service token; may act for a user through {@code X-Parley-User}. */
    SERVICE
}
