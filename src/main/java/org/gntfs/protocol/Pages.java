package org.gntfs.protocol;

/**
 * The page: the unit in which regions are granted, mapped and described on the wire. Xen grants
 * 4 KiB pages on every architecture it runs on, whatever the kernel's own page size.
 */
public final class Pages {
    public static final int PAGE_SIZE = 4096;

    private Pages() {}

    /** How many pages {@code bytes} bytes take. */
    public static long pagesFor(long bytes) {
        return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    }
}
