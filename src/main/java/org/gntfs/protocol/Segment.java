package org.gntfs.protocol;

/**
 * Bytes {@code [regionOffset, regionOffset + length)} of a region are at {@code descriptorOffset}
 * in the descriptor a direct-mapping answer carries: mmap there with that length maps them.
 */
public record Segment(long regionOffset, long length, long descriptorOffset) {}
