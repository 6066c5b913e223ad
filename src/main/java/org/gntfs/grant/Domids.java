package org.gntfs.grant;

/** Xen's domain ids, as grants name them. */
public final class Domids {
    /** Xen's {@code DOMID_FIRST_RESERVED}: ids from here on name no ordinary domain. */
    public static final int FIRST_RESERVED = 0x7FF0;

    private Domids() {}

    /** Whether {@code domid} can name a domain a page is granted to. */
    public static boolean isOrdinary(int domid) {
        return domid >= 0 && domid < FIRST_RESERVED;
    }
}
