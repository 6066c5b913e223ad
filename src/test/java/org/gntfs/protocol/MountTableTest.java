package org.gntfs.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
    private static final List<String> MOUNTINFO = List.of(
            "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
            "60 22 0:50 / /run/gnt\\040ring\\011x rw,nosuid,nodev,relatime shared:30 - fuse.gntfs gntfs rw,user_id=0",
            "61 22 0:51 / /stacked rw - tmpfs tmpfs rw",
            "62 61 0:52 / /stacked rw,nosuid master:4 - fuse.gntfs gntfs rw",
            "garbage",
            "63 22 0:53 / /short -");

    @Test
    void typeAt_readsTheMountPointUnescaped_andTheTypeAfterTheOptionalFields() {
        assertThat(MountTable.typeAt(Path.of("/run/gnt ring\tx"), MOUNTINFO)).contains(MountTable.GNTFS_TYPE);
        assertThat(MountTable.typeAt(Path.of("/proc"), MOUNTINFO)).contains("proc");
    }

    @Test
    void typeAt_givesTheTopmostOfStackedMounts() {
        assertThat(MountTable.typeAt(Path.of("/stacked"), MOUNTINFO)).contains("fuse.gntfs");
    }

    @Test
    void typeAt_isEmptyForAPathThatIsNoMountPoint_orALineCutShort() {
        assertThat(MountTable.typeAt(Path.of("/run/gnt"), MOUNTINFO)).isEmpty();
        assertThat(MountTable.typeAt(Path.of("/run/gnt ring"), MOUNTINFO)).isEmpty();
        assertThat(MountTable.typeAt(Path.of("/short"), MOUNTINFO)).isEmpty();
    }

    @Test
    void typeAt_readsThisProcesssMountTable() throws IOException {
        assertThat(MountTable.typeAt(Path.of("/proc"))).contains("proc");
    }
}
