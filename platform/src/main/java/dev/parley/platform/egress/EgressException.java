package dev.parley.platform.egress;

/**
 * A destination the egress policy will not connect to. {@link #getMessage()} says why in words a user can act on
 * (never more than the host name and the rule); each service words its own answer around it.
 */
public class EgressException extends RuntimeException {

    /** Refused by the policy, or not resolvable at all. */
    public enum Reason { REFUSED, UNRESOLVABLE }

    private final Reason reason;
    private final String host;

    public EgressException(Reason reason, String host, String why) {
        super(why, null, false, false);
        this.reason = reason;
        this.host = host;
    }

    public Reason reason() {
        return reason;
    }

    /** The host name of the refused URL (null when the URL has none). */
    public String host() {
        return host;
    }
}
