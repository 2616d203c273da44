package dev.parley.session.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The gateway's OpenAI-compatible API, acting for a user ({@code X-Parley-User}) with session-service's service token
 * (added by {@code ServiceTokenFilter}, registered by {@link GatewayClient}), the turn's session and reply ids so
 * usage is attributed to it. Answers are read as {@link Response} whatever their status, so that a refusal's error
 * body reaches the caller.
 */
@Path("/v1")
interface GatewayApi {

    /** {@code id}: the model name already encoded segment by segment ({@code openai/gpt-4o-mini} keeps its slash). */
    @GET
    @Path("/models/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    Response model(@Encoded @PathParam("id") String id, @HeaderParam("X-Parley-User") String userId);

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response chat(ChatRequest request, @HeaderParam("X-Parley-User") String userId,
                  @HeaderParam("X-Parley-Session-Id") String sessionId, @HeaderParam("X-Parley-Message-Id") String messageId);
}
