package dev.parley.auth.service;

import dev.parley.auth.config.AuthConfig;
import dev.parley.auth.config.RegistrationMode;
import dev.parley.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

/** Whether {@code POST /api/v1/auth/register} may create an account ({@code parley.auth.registration}). */
@ApplicationScoped
public class Registration {
    private final AuthConfig config;
    private final InviteService invites;

    public Registration(AuthConfig config, InviteService invites) {
        this.config = config;
        this.invites = invites;
    }

    public RegistrationMode mode() {
        return config.registration();
    }

    /**
     * In the registration's transaction: nothing when open; 403 {@code REGISTRATION_CLOSED} when closed; with invites,
     * one use of the code (403 {@code INVITE_INVALID}), given back if the registration then fails.
     */
    public void admit(String inviteCode) {
        switch (mode()) {
            case OPEN -> { }
            case CLOSED -> throw new ApiException(403, "REGISTRATION_CLOSED",
                    "Registration is closed: an administrator creates accounts");
            case INVITE -> invites.takeOneUse(inviteCode);
            default -> throw new IllegalStateException("unknown registration mode " + mode());
        }
    }
}
