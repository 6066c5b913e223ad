package org.gntfs.fuse;

import ru.serce.jnrfuse.struct.FuseContext;

/** Who makes the current call: its uid, gid and (thread) id, 0 if unknown, as libfuse's fuse_context tells them. */
record Caller(int uid, int gid, int pid) {
    static Caller of(FuseContext context) {
        return new Caller(context.uid.intValue(), context.gid.intValue(), context.pid.intValue());
    }
}
