package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gntfs.protocol.MountTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command as a user meets it: its man page and bash completion as installed, {@code --mode}
 * and {@code --log-level} through fuse-mount.sh, a mount by a user other than root, and
 * {@code gntfs run} with unmodified POSIX shm programs. The mount lives in a 0755 directory, so
 * that nobody (uid 65534) reaches it.
 */
class CommandLineIT {
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");
    private static final List<String> AS_ANOTHER_USER =
            List.of("setpriv", "--reuid", "65533", "--regid", "65533", "--clear-groups");

    private Path directory;
    private ScriptedMount mount;

    @BeforeEach
    void mountAShared1777Root() throws IOException {
        directory = Files.createTempDirectory(
                "gntfs-cli-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        mount = new ScriptedMount(directory);
        mount.script(mount.mountPoint().toString(), "--mode", "1777", "--log-level", "debug").assertOk();
    }

    @AfterEach
    void unmount() throws IOException {
        mount.script("-u", mount.mountPoint().toString());
        mount.close();
        Proc.run(List.of("rm", "-rf", directory.toString()));
    }

    @Test
    void theInstalledManPage_rendersEveryCommand() {
        Path page = mount.prefix().resolve("share/man/man1/gntfs.1");

        Proc.Result man = Proc.run(List.of("env", "MANWIDTH=100", "man", "-l", page.toString()));

        assertThat(man.assertOk().out()).contains("GNTFS(1)", "NAME", "gntfs - Granted Xen regions")
                .contains("GNTFS MOUNT", "GNTFS LIST", "GNTFS PEER READ", "GNTFS MAP", "GNTFS RUN", "--mode=MODE");
        assertThat(man.err()).isEmpty();
    }

    @Test
    void theInstalledCompletion_isValidBash_andCompletesSubcommandsAndOptions() {
        Path script = mount.prefix().resolve("share/bash-completion/completions/gntfs");
        Proc.run(List.of("bash", "-n", script.toString())).assertOk();

        assertThat(complete(script, "gntfs ")).isEqualTo("mount list peer map run help");
        assertThat(complete(script, "gntfs peer ")).isEqualTo("read write watch events");
        assertThat(complete(script, "gntfs mount --lo")).isEqualTo("--log-level");
    }

    /** What bash offers for the last word of {@code line}, as readline would ask the completion. */
    private static String complete(Path script, String line) {
        String words = line.endsWith(" ") ? line + "''" : line;
        return Proc.run(List.of("bash", "-c", "source \"$1\"; COMP_WORDS=(" + words + "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));"
                + " COMP_LINE=$2; COMP_POINT=${#COMP_LINE}; _complete_gntfs; echo \"${COMPREPLY[*]}\"",
                "bash", script.toString(), line)).assertOk().out().strip();
    }

    /** In a 1777 root, as in /dev/shm, anyone creates regions and only their owner removes them. */
    @Test
    void aStickySharedRoot_letsAnyoneCreate_andOnlyTheOwnerRemove() {
        Path region = mount.mountPoint().resolve("nobodys");
        assertThat(stat("%a", mount.mountPoint())).isEqualTo("1777");

        asUser(AS_NOBODY, "truncate", "-s", "8192", region.toString()).assertOk();
        Proc.Result unlink = asUser(AS_ANOTHER_USER, "rm", "-f", region.toString());

        assertThat(unlink.exit()).isNotZero();
        assertThat(unlink.err()).contains("Operation not permitted");
        assertThat(stat("%u %s", region)).isEqualTo("65534 8192");
        asUser(AS_NOBODY, "rm", region.toString()).assertOk();
        assertThat(region).doesNotExist();
    }

    @Test
    void logLevel_passesThroughTheScript() throws IOException {
        Proc.run(List.of("stat", mount.mountPoint().resolve("absent").toString()));

        assertThat(Files.readString(mount.logFile())).contains("DEBUG");
    }

    /** This machine's /dev/fuse and /etc/fuse.conf as they are: the one line names what they lack. */
    @Test
    void aMountAsAnotherUser_saysWhatIsMissing() throws IOException, InterruptedException {
        Path mountPoint = Files.createDirectory(directory.resolve("nobodys-mount"));
        Proc.run(List.of("chown", "65534:65534", mountPoint.toString())).assertOk();
        boolean deviceOpen = asUser(AS_NOBODY, "test", "-r", "/dev/fuse", "-a", "-w", "/dev/fuse").exit() == 0;
        boolean allowsOther = Files.readAllLines(Path.of("/etc/fuse.conf")).stream()
                .anyMatch(line -> line.strip().equals("user_allow_other"));

        List<String> mount = new ArrayList<>(AS_NOBODY);
        mount.addAll(List.of("java", "-jar", Proc.readableByAll(Proc.JAR).toString(),
                "mount", mountPoint.toString(), "--backend", "sim", "--limit", "64", "--no-direct-socket"));
        if (deviceOpen && allowsOther) {
            // Allowed here, so it mounts: the mount serves until it is unmounted.
            Process daemon = new ProcessBuilder(mount).redirectErrorStream(true).start();
            try {
                Instant deadline = Instant.now().plusSeconds(30);
                while (MountTable.typeAt(mountPoint).isEmpty() && daemon.isAlive() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(50);
                }
                assertThat(MountTable.typeAt(mountPoint)).hasValue(MountTable.GNTFS_TYPE);
            } finally {
                Proc.run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
                daemon.destroy();
            }
            return;
        }
        try {
            Proc.Result mounted = Proc.run(mount);
            assertThat(mounted.exit()).isEqualTo(1);
            assertThat(mounted.err()).startsWith("gntfs mount: a mount as a user other than root needs: ").hasLineCount(1);
            assertThat(mounted.err().contains("/dev/fuse")).isEqualTo(!deviceOpen);
            assertThat(mounted.err().contains("user_allow_other in /etc/fuse.conf")).isEqualTo(!allowsOther);
        } finally {
            Proc.run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
        }
    }

    /** Without fusermount3 on its PATH a user other than root cannot mount, whatever else it has. */
    @Test
    void aMountAsAnotherUser_withoutFusermount3_saysSo() throws IOException {
        Path mountPoint = Files.createDirectory(directory.resolve("helperless-mount"));
        Proc.run(List.of("chown", "65534:65534", mountPoint.toString())).assertOk();
        String java = ProcessHandle.current().info().command().orElseThrow();

        List<String> mount = new ArrayList<>(AS_NOBODY);
        mount.addAll(List.of("env", "PATH=" + directory.resolve("empty-path"), java, "-jar",
                Proc.readableByAll(Proc.JAR).toString(),
                "mount", mountPoint.toString(), "--backend", "sim", "--limit", "64", "--no-direct-socket"));
        Proc.Result mounted = Proc.run(mount);

        assertThat(mounted.exit()).isEqualTo(1);
        assertThat(mounted.err()).startsWith("gntfs mount: a mount as a user other than root needs: ").hasLineCount(1)
                .contains("fusermount3 on its PATH (package fuse3)");
        assertThat(MountTable.typeAt(mountPoint)).isEmpty();
    }

    @Test
    void run_givesACProgramsShmOpenAGrantedRegion() throws IOException {
        Path source = directory.resolve("shm.c");
        Files.writeString(source, """
                #include <fcntl.h>
                #include <string.h>
                #include <sys/mman.h>
                #include <unistd.h>
                int main(void) {
                    int fd = shm_open("/ring", O_CREAT | O_RDWR, 0600);
                    if (fd < 0 || ftruncate(fd, 3 * 4096) != 0) return 1;
                    char *ring = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                    if (ring == MAP_FAILED) return 2;
                    strcpy(ring, "hello");
                    return msync(ring, 3 * 4096, MS_SYNC) == 0 ? 0 : 3;
                }
                """);
        Path program = directory.resolve("shm");
        Proc.run(List.of("cc", "-o", program.toString(), source.toString())).assertOk();

        Proc.Result run = gntfsRun(List.of(), "sh", "-c", program + " && cat /dev/shm/.grants");

        assertThat(run.assertOk().out()).containsPattern("(?m)^/ring\t0\t3\trw\t0\t\\d+-\\d+$");
        assertThat(Files.readString(mount.mountPoint().resolve(".grants"))).containsPattern("(?m)^/ring\t0\t3\t");
        assertThat(Proc.gntfs("peer", "read", mount.mountPoint(), "--as", 0, "--gref", gref("/ring"), "--length", 5)
                .assertOk().out()).isEqualTo("hello");
        assertThat(Path.of("/dev/shm/ring")).as("the caller's /dev/shm is untouched").doesNotExist();
    }

    /**
     * Python's SharedMemory in a directory of the mount, run by a user other than root; .grants is
     * on the mount's root, which the namespace still shows at its own path.
     */
    @Test
    void run_givesPythonsSharedMemoryAGrantedRegion_inADirectory_asAnotherUser() throws IOException {
        String script = """
                import sys
                from multiprocessing import shared_memory
                shm = shared_memory.SharedMemory(name="frame", create=True, size=8192)
                shm.buf[:5] = b"hello"
                print(open(sys.argv[1] + "/.grants").read().strip().splitlines()[-1])
                print(open("/proc/self/status").read().split("Uid:")[1].split()[0])
                shm.close()
                shm.unlink()
                """;

        Proc.Result run = asUser(AS_NOBODY, "java", "-jar", Proc.readableByAll(Proc.JAR).toString(), "run",
                "--mount", mount.mountPoint().toString(), "--dir", "py", "--", "python3", "-c", script,
                mount.mountPoint().toString());

        assertThat(run.assertOk().out()).matches("/py/frame\t0\t2\trw\t0\t\\d+-\\d+\n65534\n");
        assertThat(stat("%u %a", mount.mountPoint().resolve("py"))).isEqualTo("65534 755");
    }

    private Proc.Result gntfsRun(List<String> options, String... program) {
        List<String> command = new ArrayList<>(List.of("run", "--mount", mount.mountPoint().toString()));
        command.addAll(options);
        command.add("--");
        command.addAll(List.of(program));
        return Proc.gntfs(command.toArray());
    }

    private int gref(String path) throws IOException {
        String line = Files.readAllLines(mount.mountPoint().resolve(".grants")).stream()
                .filter(l -> l.startsWith(path + "\t")).findFirst().orElseThrow();
        String runs = line.substring(line.lastIndexOf('\t') + 1);
        return Integer.parseInt(runs.split("[-,]")[0]);
    }

    private static Proc.Result asUser(List<String> user, String... command) {
        List<String> full = new ArrayList<>(user);
        full.addAll(List.of(command));
        return Proc.run(full);
    }

    private static String stat(String format, Path path) {
        return Proc.run(List.of("stat", "-c", format, path.toString())).assertOk().out().strip();
    }
}
