package org.gntfs.region;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Splitter;
import java.util.ArrayList;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.protocol.Pages;

/**
 * The value of {@code user.gnt.notify}: what happens when this side releases the region (or the
 * page holding the byte): {@code byte OFFSET} clears that byte of the region, {@code event PORT}
 * signals that event channel. Either, both, or neither (the empty value).
 *
 * @param byteOffset the region offset of the byte to clear, or -1
 * @param eventPort the port to signal, or -1
 */
public record RegionNotify(long byteOffset, int eventPort) {
    public static final RegionNotify NONE = new RegionNotify(-1, -1);

    private static final Splitter WORDS = Splitter.on(' ').trimResults().omitEmptyStrings();

    public RegionNotify {
        checkArgument(byteOffset >= -1 && eventPort >= -1, "bad notify %s/%s", byteOffset, eventPort);
    }

    /** Parses {@code "byte OFFSET"}, {@code "event PORT"}, both in either order, or blanks. */
    public static RegionNotify parse(String value) {
        List<String> words = new ArrayList<>(WORDS.splitToList(value.replace('\n', ' ').replace('\t', ' ')));
        long byteOffset = -1;
        int eventPort = -1;
        if (words.size() % 2 != 0) {
            throw invalid(value);
        }
        for (int i = 0; i < words.size(); i += 2) {
            String keyword = words.get(i);
            long number = parseNumber(words.get(i + 1), value);
            if (keyword.equals("byte") && byteOffset < 0) {
                byteOffset = number;
            } else if (keyword.equals("event") && eventPort < 0 && number <= Integer.MAX_VALUE) {
                eventPort = (int) number;
            } else {
                throw invalid(value);
            }
        }
        return new RegionNotify(byteOffset, eventPort);
    }

    private static long parseNumber(String word, String value) {
        if (word.isEmpty() || !word.chars().allMatch(Character::isDigit) || word.length() > 18) {
            throw invalid(value);
        }
        return Long.parseLong(word);
    }

    private static GntfsException invalid(String value) {
        return GntfsException.of(
                Fault.INVALID_ARGUMENT, "notify '%s' is not 'byte OFFSET', 'event PORT', both, or empty", value);
    }

    public boolean isNone() {
        return byteOffset < 0 && eventPort < 0;
    }

    /** The region page whose release fires the notification: the byte's page, else the first. */
    long page() {
        return byteOffset < 0 ? 0 : byteOffset / Pages.PAGE_SIZE;
    }

    /** The per-page form that a grant backend takes. */
    UnmapNotify forPage() {
        int byteInPage = byteOffset < 0 ? -1 : (int) (byteOffset % Pages.PAGE_SIZE);
        return new UnmapNotify(byteInPage, eventPort);
    }

    /** The canonical text form, as {@code getfattr} shows it. */
    public String format() {
        StringBuilder text = new StringBuilder();
        if (byteOffset >= 0) {
            text.append("byte ").append(byteOffset);
        }
        if (eventPort >= 0) {
            text.append(text.length() > 0 ? " " : "").append("event ").append(eventPort);
        }
        return text.toString();
    }
}
