package org.gntfs.it;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh directory in /dev/shm for each test, the tmpfs that a test's results on gntfs are
 * compared with, and removed after it whatever happened. It is 0755, so that the cases run as
 * another uid reach it as they reach the mount.
 */
final class TmpfsOracle implements BeforeEachCallback, AfterEachCallback {
    private Path directory;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        directory = Files.createTempDirectory(Path.of("/dev/shm"), "gntfs-oracle-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
    }

    Path path() {
        return directory;
    }
}
