package dev.parley.platform.auth;

/** Names of the SecurityIdentity attributes the platform sets. */
public final class ParleyAttributes {
    public static final String KIND = "parley.kind";
    public static final String USER_ID = "parley.user_id";
    public static final String USERNAME = "parley.username";
    public static final String SERVICE = "parley.service";
    public static final String ACCESS_KEY_ID = "parley.access_key_id";
    public static final String ALLOWED_MODELS = "parley.allowed_models";
    public static final String TOKEN_ID = "parley.jti";
    /** The login session (refresh-token family) a user token belongs to: claim {@code sid}. */
    public static final String SESSION_ID = "parley.sid";

    /** Role carried by service tokens; never granted to a user. */
    public static final String SERVICE_ROLE = "service";
    public static final String ACTING_USER_HEADER = "X-Parley-User";

    private ParleyAttributes() { }
}
