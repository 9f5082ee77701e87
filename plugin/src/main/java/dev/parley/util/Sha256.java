package dev.parley.util;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of bytes as lower-case hex: how packs and adapters name the files and data they were made from. */
public final class Sha256 {

    private Sha256() {
    }

    /**
     * @param bytes the data (not null, unaffected)
     * @param offset where the data starts (&ge;0)
     * @param length how many bytes (&ge;0, within the array)
     * @return the SHA-256 of {@code bytes[offset, offset + length)}, 64 lower-case hex digits (not null)
     */
    public static String hex(byte[] bytes, int offset, int length) {
        Validate.nonNull(bytes, "bytes");
        Validate.inRange(offset, 0, bytes.length, "offset");
        Validate.inRange(length, 0, bytes.length - offset, "length");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, offset, length);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * @param bytes the data (not null, unaffected)
     * @return its SHA-256, 64 lower-case hex digits (not null)
     */
    public static String hex(byte[] bytes) {
        return hex(Validate.nonNull(bytes, "bytes"), 0, bytes.length);
    }
}
