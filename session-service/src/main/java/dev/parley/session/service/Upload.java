package dev.parley.session.service;

/** An image sent with a message, its type already checked from its bytes ({@link Images#mediaType}). */
public record Upload(byte[] data, String mediaType) {
    /** The image as a data URL, as OpenAI's image content parts carry it. */
    public String dataUrl() {
        return "data:" + mediaType + ";base64," + java.util.Base64.getEncoder().encodeToString(data);
    }
}
