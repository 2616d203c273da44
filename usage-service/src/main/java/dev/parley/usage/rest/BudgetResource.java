package dev.parley.usage.rest;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.parley.platform.auth.Caller;
import dev.parley.platform.auth.CurrentCaller;
import dev.parley.platform.error.ApiException;
import dev.parley.usage.entity.BudgetLimits;
import dev.parley.usage.service.Budgets;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Budgets as {@code {"daily":{"soft_usd","hard_usd"},"monthly":{"soft_usd","hard_usd"}}} (null = none). A user sets
 * their own (which can only lower what applies to them) and their access keys'; admins set anyone's and the default.
 */
@Authenticated
@Path("/api/v1/budgets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BudgetResource {
    private final Budgets budgets;
    private final CurrentCaller caller;

    public BudgetResource(Budgets budgets, CurrentCaller caller) {
        this.budgets = budgets;
        this.caller = caller;
    }

    static final String SEND_A_BUDGET = "Send {\"daily\":{\"soft_usd\",\"hard_usd\"},\"monthly\":{\"soft_usd\",\"hard_usd\"}}.";

    /** The limits of a valid body; a soft limit above its hard one is refused (it would never be seen). */
    static BudgetLimits limits(BudgetRequest body) {
        BudgetLimits l = body.toLimits();
        if (l.dailySoft() != null && l.dailyHard() != null && l.dailySoft().compareTo(l.dailyHard()) > 0
                || l.monthlySoft() != null && l.monthlyHard() != null && l.monthlySoft().compareTo(l.monthlyHard()) > 0) {
            throw Params.invalid("soft_usd", "A soft limit above its hard limit would never be seen.");
        }
        return l;
    }

    static Map<String, Object> view(BudgetLimits l) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("daily", pair(l.dailySoft(), l.dailyHard()));
        out.put("monthly", pair(l.monthlySoft(), l.monthlyHard()));
        return out;
    }

    private static Map<String, Object> pair(BigDecimal soft, BigDecimal hard) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("soft_usd", soft);
        m.put("hard_usd", hard);
        return m;
    }

    private Map<String, Object> userView(UUID user) {
        Map<String, Object> out = view(budgets.stored("user", user));
        out.put("effective", view(budgets.effectiveForUser(user)));
        out.put("spent", spent(budgets.spent("user", user)));
        return out;
    }

    /** Today's and this month's spend, in micro-dollars like the usage reports. */
    private static Map<String, Object> spent(BigDecimal[] spent) {
        return Map.of("today_usd", Params.usd(spent[0]), "this_month_usd", Params.usd(spent[1]));
    }

    @GET
    @Path("/me")
    @Operation(summary = "The caller's own budget, what applies (the admin's or default, lowered by their own) and the spend so far")
    public Map<String, Object> me() {
        return userView(caller.get().requireUserId());
    }

    @PUT
    @Path("/me")
    @Operation(summary = "Set the caller's own budget (it can only lower what applies)")
    public Map<String, Object> setMe(@Valid @NotNull(message = SEND_A_BUDGET) BudgetRequest body) {
        UUID user = caller.get().requireUserId();
        budgets.put("user", user, limits(body), user);
        return userView(user);
    }

    @GET
    @Path("/users/{user_id}")
    @RolesAllowed("admin")
    @Operation(summary = "Admin: the budget an admin set for a user (instead of the default), and what applies")
    public Map<String, Object> user(@PathParam("user_id") String userId) {
        UUID user = Params.pathId(userId, "USER_NOT_FOUND", "Not found.");
        Map<String, Object> out = view(budgets.stored("admin", user));
        out.put("effective", view(budgets.effectiveForUser(user)));
        return out;
    }

    @PUT
    @Path("/users/{user_id}")
    @RolesAllowed("admin")
    public Map<String, Object> setUser(@PathParam("user_id") String userId, @Valid @NotNull(message = SEND_A_BUDGET) BudgetRequest body) {
        UUID user = Params.pathId(userId, "USER_NOT_FOUND", "Not found.");
        budgets.put("admin", user, limits(body), caller.get().userId());
        return user(userId);
    }

    @GET
    @Path("/default")
    @RolesAllowed("admin")
    public Map<String, Object> defaults() {
        return view(budgets.stored("default", Budgets.DEFAULT));
    }

    @PUT
    @Path("/default")
    @RolesAllowed("admin")
    @Operation(summary = "Admin: the budget of every user an admin has not set one for")
    public Map<String, Object> setDefaults(@Valid @NotNull(message = SEND_A_BUDGET) BudgetRequest body) {
        budgets.put("default", Budgets.DEFAULT, limits(body), caller.get().userId());
        return defaults();
    }

    /** The key's owner must be the caller (as the key's usage shows, or the key the caller authenticated with), or an admin. */
    private UUID ownKey(String keyId) {
        UUID key = Params.pathId(keyId, "ACCESS_KEY_NOT_FOUND", "Not found.");
        Caller c = caller.get();
        if (key.equals(c.accessKeyId())) {
            return key;
        }
        UUID owner = budgets.keyOwner(key);
        if (c.isAdmin()) {
            return key;
        }
        if (owner == null || !owner.equals(c.requireUserId())) {
            throw ApiException.notFound("ACCESS_KEY_NOT_FOUND", "No such access key (a key's budget can be set once it has been used, "
                    + "with the key itself, or by an admin).");
        }
        return key;
    }

    @GET
    @Path("/access-keys/{key_id}")
    public Map<String, Object> key(@PathParam("key_id") String keyId) {
        UUID key = ownKey(keyId);
        Map<String, Object> out = view(budgets.stored(ownerOf(key) ? "key" : "keyadmin", key));
        out.put("effective", view(budgets.effectiveForKey(key)));
        out.put("spent", spent(budgets.spent("key", key)));
        return out;
    }

    @PUT
    @Path("/access-keys/{key_id}")
    @Operation(summary = "Set an access key's budget: its owner's (which can only lower an admin's), or an admin's")
    public Map<String, Object> setKey(@PathParam("key_id") String keyId, @Valid @NotNull(message = SEND_A_BUDGET) BudgetRequest body) {
        UUID key = ownKey(keyId);
        budgets.put(ownerOf(key) ? "key" : "keyadmin", key, limits(body), caller.get().userId());
        return key(keyId);
    }

    /** The caller acts as the key's owner (its own key, or the key itself), not as an admin of someone else's. */
    private boolean ownerOf(UUID key) {
        Caller c = caller.get();
        if (key.equals(c.accessKeyId())) {
            return true;
        }
        UUID owner = budgets.keyOwner(key);
        return owner != null && owner.equals(c.userId()) || !c.isAdmin();
    }
}
