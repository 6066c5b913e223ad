package org.gntfs.grant.xen;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Linux's ioctl request encoding, {@code _IOC(dir, type, nr, size)} from asm-generic/ioctl.h.
 * gntalloc and gntdev declare every request with direction {@code _IOC_NONE}, so only the type,
 * the number and the argument's size make up the value.
 */
final class IoctlNumber {
    private static final int NUMBER_BITS = 8;
    private static final int TYPE_BITS = 8;
    private static final int SIZE_BITS = 14;

    private IoctlNumber() {}

    /** {@code _IOC(_IOC_NONE, type, number, size)}. */
    static long none(char type, int number, int size) {
        checkArgument(type < 1 << TYPE_BITS && number < 1 << NUMBER_BITS, "type %s or number %s too large", type, number);
        checkArgument(size >= 0 && size < 1 << SIZE_BITS, "an ioctl argument of %s bytes cannot be encoded", size);
        return (long) size << (NUMBER_BITS + TYPE_BITS) | (long) type << NUMBER_BITS | number;
    }
}
