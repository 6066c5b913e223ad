package org.gntfs.engine.session;

/**
 * Who makes a request and which one it is, from its {@code fuse_in_header}: the caller's fsuid,
 * fsgid and tgid as the mount's namespaces see them.
 */
public record Request(int opcode, long unique, long nodeId, int uid, int gid, int pid) {}
