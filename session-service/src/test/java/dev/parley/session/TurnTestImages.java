package dev.parley.session;

/** The smallest bytes that pass as a PNG image (the signature and an IHDR header). */
final class TurnTestImages {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};

    private TurnTestImages() { }
}
