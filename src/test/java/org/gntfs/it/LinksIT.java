package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbolic links, hard links, fifos, sockets and device nodes on a real mount, with /dev/shm as
 * the oracle: the same steps (namespace_ops.py), as root and then as uid 65534, must give the
 * same results, errno for errno, and leave the same tree; {@code ls -l} and {@code stat} must
 * show it the same way. The mount is nodev, so a device node opens as on a nodev tmpfs: never.
 */
class LinksIT {
    private static final Path SCRIPT = Proc.script("namespace_ops.py");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs();

    @TempDir
    Path work;

    @RegisterExtension
    final TmpfsOracle oracle = new TmpfsOracle();

    private static ImmutableList<String> steps(Path directory, String phase, boolean asNobody) {
        ImmutableList.Builder<String> command = ImmutableList.builder();
        if (asNobody) {
            command.addAll(SecurityIT.AS_NOBODY);
        }
        command.add(SecurityIT.PYTHON, Proc.readableByAll(SCRIPT).toString(), directory.toString(), phase);
        ImmutableList<String> lines = ImmutableList.copyOf(Proc.run(command.build()).assertOk().out().lines().iterator());
        assertThat(lines).as("%s steps on %s", phase, directory).isNotEmpty();
        return lines;
    }

    private static void assertSameSteps(Path onGntfs, Path onTmpfs, String phase, boolean asNobody) {
        assertThat(steps(onGntfs, phase, asNobody)).as("%s on gntfs vs tmpfs", phase)
                .containsExactlyElementsOf(steps(onTmpfs, phase, asNobody));
    }

    private static String shell(Path directory, String command) {
        return Proc.run(List.of("sh", "-c", "cd \"$1\" && " + command, "sh", directory.toString())).assertOk().out();
    }

    @Test
    void symlinksHardLinksAndSpecialFiles_asRootAndAsAnotherUser_giveWhatTmpfsGives() throws IOException {
        Path onGntfs = Files.createDirectory(gntfs.path("ns"));
        Path onTmpfs = Files.createDirectory(oracle.path().resolve("ns"));

        assertSameSteps(onGntfs, onTmpfs, "root", false);
        assertSameSteps(onGntfs, onTmpfs, "nobody", true);
        assertSameSteps(onGntfs, onTmpfs, "tree", false);

        // No directory in w: ls -l shows no directory size, which differs on purpose.
        String listing = "ls -l --time-style=+ w";
        assertThat(shell(onGntfs, listing)).contains("prw-------", "srwxr-xr-x", "lrwxrwxrwx", "rootlink -> root644")
                .isEqualTo(shell(onTmpfs, listing));
        String stat = "find . ! -type d | sort | xargs stat -c '%n %F %a %h %s %U %G %t %T %N'";
        assertThat(shell(onGntfs, stat)).contains("./null character special file 644 1 0 root root 1 3")
                .isEqualTo(shell(onTmpfs, stat));
        assertThat(gntfs.pagesOfLiveRegions()).as("pages of live regions vs grants taken").isEqualTo(gntfs.grantsInUse());
    }

    @Test
    void aRegionWithSeveralNames_isListedOnce_byTheOldestNameItsReaderReaches() throws IOException {
        Files.createDirectory(gntfs.path("private"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectory(gntfs.path("public"));
        Proc.python(RegionMountIT.PY + String.join("\n",
                "os.chdir(sys.argv[1])",
                "os.ftruncate(os.open('private/first', os.O_CREAT | os.O_RDWR, 0o644), 2 * 4096)",
                "os.link('private/first', 'public/second')",
                "os.link('private/first', 'third')"), gntfs.root()).assertOk();
        long grants = gntfs.grantsInUse();

        assertThat(paths(Proc.run(List.of("cat", gntfs.path(".grants").toString())).assertOk().out()))
                .containsExactly("/private/first");
        assertThat(Proc.run(ImmutableList.<String>builder().addAll(SecurityIT.AS_NOBODY)
                        .add("cat", gntfs.path(".grants").toString()).build()).assertOk().out())
                .as("uid 65534 cannot search /private").contains("/public/second\t").doesNotContain("first", "third");
        Files.delete(gntfs.path("private/first"));
        assertThat(Proc.gntfs("list", gntfs.root()).assertOk().out()).contains("/public/second ").doesNotContain("third");
        Files.move(gntfs.path("public/second"), gntfs.path("public/moved"));
        assertThat(paths(Files.readString(gntfs.path(".grants")))).as("a rename keeps the name's age")
                .containsExactly("/public/moved");
        assertThat(gntfs.grantsInUse()).as("names change no grant").isEqualTo(grants).isEqualTo(2);
        Files.delete(gntfs.path("public/moved"));
        Files.delete(gntfs.path("third"));
        assertThat(gntfs.grantsInUse()).isZero();
    }

    private static List<String> paths(String report) {
        return report.lines().skip(1).map(line -> line.substring(0, line.indexOf('\t'))).toList();
    }

    @Test
    void theMountIsNodevAndNosuid_soADeviceNodeOpensAsOnANodevTmpfs_never() throws IOException {
        String options = Files.readAllLines(Path.of("/proc/mounts")).stream()
                .filter(line -> line.split(" ")[1].equals(gntfs.root().toString())).findFirst().orElseThrow();
        assertThat(options.split(" ")[3].split(",")).contains("nodev", "nosuid");
        Path nodevTmpfs = Files.createDirectory(work.resolve("nodev"));
        Proc.run(List.of("mount", "-t", "tmpfs", "-o", "nodev,nosuid,size=1m", "tmpfs", nodevTmpfs.toString())).assertOk();
        try {
            String script = RegionMountIT.PY + String.join("\n",
                    "import stat",
                    "p = os.path.join(sys.argv[1], 'null')",
                    "os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(1, 3))",
                    "print(attempt(os.open, p, os.O_RDWR), attempt(os.open, p, os.O_RDONLY),",
                    "      os.major(os.lstat(p).st_rdev), os.minor(os.lstat(p).st_rdev))");
            String onGntfs = Proc.python(script, gntfs.root()).assertOk().out();
            assertThat(onGntfs).isEqualTo("EACCES EACCES 1 3\n").isEqualTo(Proc.python(script, nodevTmpfs).assertOk().out());
        } finally {
            Proc.run(List.of("umount", nodevTmpfs.toString())).assertOk();
        }
    }
}
