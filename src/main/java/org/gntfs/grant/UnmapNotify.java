package org.gntfs.grant;

import org.gntfs.protocol.Pages;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What gntalloc's SET_UNMAP_NOTIFY asks for one page: when this side releases the page, clear one
 * of its bytes (so a peer polling it reads 0) and/or signal an event channel.
 *
 * @param byteInPage the byte to clear, or -1 for none
 * @param eventPort the event channel to signal, or -1 for none
 */
public record UnmapNotify(int byteInPage, int eventPort) {
    public static final UnmapNotify NONE = new UnmapNotify(-1, -1);

    public UnmapNotify {
        checkArgument(byteInPage >= -1 && byteInPage < Pages.PAGE_SIZE, "byte %s is outside a page", byteInPage);
        checkArgument(eventPort >= -1, "bad event port %s", eventPort);
    }

    public boolean clearsByte() {
        return byteInPage >= 0;
    }

    public boolean sendsEvent() {
        return eventPort >= 0;
    }

    public boolean isNone() {
        return !clearsByte() && !sendsEvent();
    }
}
