package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gntfs command: bin/gntfs in the checkout, and the copy fuse-mount.sh installs as root. */
class GntfsCommandIT {
    private static final Path CHECKOUT_COMMAND = Path.of("bin/gntfs").toAbsolutePath();

    @TempDir
    Path directory;

    private ScriptedMount mount;

    @BeforeEach
    void mount() {
        mount = new ScriptedMount(directory);
        mount.script(mount.mountPoint().toString()).assertOk();
        Proc.python(RegionMountIT.PY + "os.ftruncate(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600), 8192)",
                mount.mountPoint().resolve("fb")).assertOk();
    }

    @AfterEach
    void unmount() throws Exception {
        mount.script("-u", mount.mountPoint().toString());
        mount.close();
    }

    /** As a user's shell finds it: by PATH, from another directory. */
    @Test
    void theInstalledCommand_runsFromPath_withItsOwnCopyOfTheJar() throws Exception {
        Path bin = mount.prefix().resolve("bin");
        Path installedJar = mount.prefix().resolve("lib/gntfs/gntfs.jar");
        assertThat(Files.readAllBytes(installedJar)).isEqualTo(Files.readAllBytes(Proc.JAR));

        Proc.Result list = Proc.run(List.of("env", "-C", "/", "PATH=" + bin + ":" + System.getenv("PATH"),
                "gntfs", "list", mount.mountPoint().toString()));

        assertThat(list.assertOk().out()).containsPattern("(?m)^/fb +0 +2 ");   // path, domid, pages
        assertThat(list.err()).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bin.resolve("gntfs"))))
                .isEqualTo("rwxr-xr-x");
    }

    @Test
    void theCheckoutCommand_runsTheCurrentJarWithoutRebuildingIt() throws Exception {
        long built = Files.getLastModifiedTime(Proc.JAR).toMillis();

        Proc.Result list = Proc.run(List.of("env", "-C", "/", CHECKOUT_COMMAND.toString(),
                "list", mount.mountPoint().toString()));

        assertThat(list.assertOk().out()).containsPattern("(?m)^/fb +0 +2 ");   // path, domid, pages
        assertThat(list.err()).isEmpty();
        assertThat(Files.getLastModifiedTime(Proc.JAR).toMillis()).isEqualTo(built);
    }
}
