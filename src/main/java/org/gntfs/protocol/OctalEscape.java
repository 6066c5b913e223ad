package org.gntfs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;

/**
 * The escaping that the kernel uses in /proc/mounts and gntfs in its own text formats: a
 * character that would end a field or a line is written as a backslash and three octal digits
 * ({@code \011} for a tab). Each format names its special characters; the backslash is always
 * one of them, so that every backslash in a field starts an escape and unescaping cannot guess wrong.
 */
public final class OctalEscape {
    private OctalEscape() {}

    /** {@code text} with each backslash, and each (ASCII) character of {@code special}, written as {@code \ooo}. */
    public static String escape(String text, String special) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '\\' || special.indexOf(c) >= 0) {
                escaped.append('\\').append(Character.forDigit(c >> 6 & 7, 8))
                        .append(Character.forDigit(c >> 3 & 7, 8)).append(Character.forDigit(c & 7, 8));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /**
     * {@code field} with each {@code \ooo} turned back into the byte it stands for, and the bytes
     * read as UTF-8; a backslash not followed by three octal digits stays as it is.
     */
    public static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        byte[] bytes = field.getBytes(UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\\' && isOctal(bytes, i + 1)) {
                out.write((bytes[i + 1] - '0') << 6 | (bytes[i + 2] - '0') << 3 | (bytes[i + 3] - '0'));
                i += 3;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(UTF_8);
    }

    private static boolean isOctal(byte[] bytes, int from) {
        for (int i = from; i < from + 3; i++) {
            if (i >= bytes.length || bytes[i] < '0' || bytes[i] > '7') {
                return false;
            }
        }
        return true;
    }
}
