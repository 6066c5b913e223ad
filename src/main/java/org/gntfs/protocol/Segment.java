package org.gntfs.protocol;

/**
 * Bytes {@code [regionOffset, regionOffset + length)} of a region are at {@code descriptorOffset}
 * in descriptor number {@code descriptor} (counted from 0, in the order they arrive) of a
 * direct-mapping answer: mmap of that descriptor there with that length maps them.
 */
public record Segment(long regionOffset, long length, int descriptor, long descriptorOffset) {}
