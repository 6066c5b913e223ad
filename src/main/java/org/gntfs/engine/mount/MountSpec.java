package org.gntfs.engine.mount;

import java.nio.file.Path;

/**
 * What a FUSE mount is made with.
 *
 * @param mountPoint an existing directory
 * @param source what the mount table shows as the device
 * @param subtype the filesystem type's suffix: the mount table shows {@code fuse.SUBTYPE}
 * @param maxRead the largest READ the kernel sends
 */
public record MountSpec(Path mountPoint, String source, String subtype, int maxRead) {
    /** The options every mount gets: any user reaches it, and the kernel checks permissions from the attributes. */
    String options(int fd, int uid, int gid) {
        return "fd=" + fd + ",rootmode=40000,user_id=" + uid + ",group_id=" + gid
                + ",allow_other,default_permissions,max_read=" + maxRead;
    }

    /** The options fusermount3 is given: it opens the device and adds fd, rootmode, user_id and group_id itself. */
    String helperOptions() {
        return "fsname=" + source + ",subtype=" + subtype + ",allow_other,default_permissions,max_read=" + maxRead;
    }
}
