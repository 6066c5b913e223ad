package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.gntfs.testing.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Another user (uid 65534, through setpriv) against files root made: refused exactly where tmpfs
 * refuses, by mode bits, directory search rights and the sticky bit; and, beyond tmpfs, kept
 * from the grant settings of files it does not own, from the simulated table, and from acting as
 * the peer. Nothing a region holds ever reaches the daemon's log.
 */
class SecurityIT {
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    /** The system's Python: one installed under root's home (pyenv) is out of uid 65534's reach. */
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final String SECRET = "SECRET-REGION-BYTES-7f3a";

    /** Run by root in a fresh directory: files and directories of every kind of mode. */
    private static final String SET_UP = RegionMountIT.PY + String.join("\n",
            "d = sys.argv[1]",
            "os.mkdir(os.path.join(d, 'sticky'))",
            "os.chmod(os.path.join(d, 'sticky'), 0o1777)",
            "os.mkdir(os.path.join(d, 'private'), 0o700)",
            "for name, mode in (('own600', 0o600), ('own644', 0o644), ('own666', 0o666),",
            "                   ('sticky/rootfile', 0o666), ('private/x', 0o666)):",
            "    fd = os.open(os.path.join(d, name), os.O_CREAT | os.O_RDWR, mode)",
            "    os.fchmod(fd, mode)",
            "    os.write(fd, sys.argv[2].encode() + b' ' * 5000)",
            "    os.close(fd)");

    /** Run as uid 65534: one line per attempt, the same on gntfs and on tmpfs. */
    private static final String AS_ANOTHER_USER = RegionMountIT.PY + String.join("\n",
            "d = sys.argv[1]",
            "p = lambda name: os.path.join(d, name)",
            "def mapped(name, flags, prot):",
            "    fd = os.open(p(name), flags)",
            "    mmap.mmap(fd, 4096, mmap.MAP_SHARED, prot)",
            "def read(name):",
            "    with open(p(name), 'rb') as f:",
            "        f.read()",
            "print('own600', attempt(os.open, p('own600'), os.O_RDONLY), attempt(os.open, p('own600'), os.O_WRONLY))",
            "print('own644', attempt(read, 'own644'), attempt(os.open, p('own644'), os.O_RDWR),",
            "      attempt(mapped, 'own644', os.O_RDONLY, mmap.PROT_READ),",
            "      attempt(mapped, 'own644', os.O_RDONLY, mmap.PROT_READ | mmap.PROT_WRITE),",
            "      attempt(os.truncate, p('own644'), 0), attempt(os.unlink, p('own644')),",
            "      attempt(os.chmod, p('own644'), 0o666), attempt(os.chown, p('own644'), 65534, -1),",
            "      attempt(os.setxattr, p('own644'), 'user.note', b'x'))",
            "print('own666', attempt(mapped, 'own666', os.O_RDWR, mmap.PROT_READ | mmap.PROT_WRITE),",
            "      attempt(os.pwrite, os.open(p('own666'), os.O_WRONLY), b'by nobody', 0),",
            "      attempt(os.setxattr, p('own666'), 'user.note', b'x'), attempt(os.rename, p('own666'), p('moved')))",
            "print('sticky', attempt(os.unlink, p('sticky/rootfile')),",
            "      attempt(os.rename, p('sticky/rootfile'), p('sticky/taken')),",
            "      attempt(os.open, p('sticky/rootfile'), os.O_RDWR),",
            "      attempt(os.close, os.open(p('sticky/mine'), os.O_CREAT | os.O_RDWR, 0o600)),",
            "      attempt(os.rename, p('sticky/mine'), p('sticky/mine2')), attempt(os.unlink, p('sticky/mine2')))",
            "print('private', attempt(os.stat, p('private/x')), attempt(os.open, p('private/x'), os.O_RDONLY),",
            "      attempt(os.listdir, p('private')), attempt(os.mkdir, p('mine')))");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs();

    @RegisterExtension
    final TmpfsOracle oracle = new TmpfsOracle();

    private CapturedLog log;

    @BeforeEach
    void captureTheLog() {
        log = new CapturedLog();
    }

    @AfterEach
    void closeTheLog() {
        log.close();
    }

    private static Proc.Result asNobody(String script, Object... args) {
        ImmutableList.Builder<String> command = ImmutableList.<String>builder().addAll(AS_NOBODY).add(PYTHON, "-c", script);
        for (Object arg : args) {
            command.add(arg.toString());
        }
        return Proc.run(command.build());
    }

    @Test
    void anotherUser_isRefusedExactlyWhereTmpfsRefusesIt() {
        Proc.python(SET_UP, gntfs.root(), SECRET).assertOk();
        Proc.python(SET_UP, oracle.path(), SECRET).assertOk();

        String onGntfs = asNobody(AS_ANOTHER_USER, gntfs.root()).assertOk().out();
        String onTmpfs = asNobody(AS_ANOTHER_USER, oracle.path()).assertOk().out();

        assertThat(onGntfs).isEqualTo(onTmpfs).isEqualTo(String.join("\n",
                "own600 EACCES EACCES",
                "own644 ok EACCES ok EACCES EACCES EACCES EPERM EPERM EACCES",
                "own666 ok ok ok EACCES",
                "sticky EPERM EPERM ok ok ok ok",
                "private EACCES EACCES EACCES EACCES",
                ""));
        assertThat(log.text()).doesNotContain(SECRET);
    }

    @Test
    void anotherUser_cannotChangeTheGrantOfAFileItMayWrite_butItsOwnFiles() {
        Proc.python(SET_UP, gntfs.root(), SECRET).assertOk();

        String out = asNobody(RegionMountIT.PY + String.join("\n",
                "d = sys.argv[1]",
                "p = os.path.join(d, 'own666')",
                "print(attempt(os.setxattr, p, 'user.gnt.domid', b'5'), attempt(os.setxattr, p, 'user.gnt.notify', b'byte 1'),",
                "      attempt(os.removexattr, p, 'user.gnt.notify'), os.getxattr(p, 'user.gnt.domid').decode())",
                "mine = os.path.join(d, 'sticky', 'mine')",
                "os.close(os.open(mine, os.O_CREAT | os.O_RDWR, 0o600))",
                "print(attempt(os.setxattr, mine, 'user.gnt.domid', b'5'), os.getxattr(mine, 'user.gnt.domid').decode())",
                "print(attempt(os.setxattr, os.path.join(d, 'sticky'), 'user.gnt.domid', b'5'),",
                "      attempt(os.setxattr, d, 'user.gnt.table', b'/tmp/forged'))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("EPERM EPERM EPERM 0\nok 5\nEPERM EACCES\n");
        assertThat(gntfs.tree().region("/own666").domid()).isZero();
    }

    /** A region's frames, as a peer reaches them: the daemon's (this process's) memfd, through /proc. */
    private static Path spaceOfTheDaemon() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                if (Files.isSymbolicLink(fd) && Files.readSymbolicLink(fd).toString().startsWith("/memfd:gntfs-")) {
                    return Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", fd.getFileName().toString());
                }
            }
        }
        throw new AssertionError("no space of the daemon in /proc/self/fd");
    }

    @Test
    void theSimulatedTable_isClosedToOtherUsers_andSoIsActingAsThePeer() throws Exception {
        Proc.python(SET_UP, gntfs.root(), SECRET).assertOk();
        Path table = gntfs.tablePath();

        String out = asNobody(RegionMountIT.PY + String.join("\n",
                "for f in sys.argv[1:]:",
                "    print(attempt(os.open, f, os.O_RDONLY), attempt(os.open, f, os.O_RDWR), attempt(os.unlink, f))"),
                table, spaceOfTheDaemon()).assertOk().out();
        Proc.Result peer = Proc.run(ImmutableList.<String>builder().addAll(AS_NOBODY)
                .add("java", "-jar", Proc.readableByAll(Proc.JAR).toString(), "peer", "read", gntfs.root().toString(), "--as", "0", "--gref", "8")
                .build());

        assertThat(out).isEqualTo("EACCES EACCES EPERM\nEACCES EACCES EACCES\n");
        assertThat(Files.getPosixFilePermissions(table)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(peer.exit()).isEqualTo(1);
        assertThat(peer.out()).doesNotContain(SECRET);
        assertThat(peer.err()).isEqualTo("gntfs peer read: only root or the user that mounted " + gntfs.root()
                + " may act as its peer (" + table + " is theirs alone)\n");
    }

    @Test
    void onlyRootOrTheMountsOwner_namesAnEventPort_whileARegionsOwnerStillSetsItsByte() {
        Proc.python(SET_UP, gntfs.root(), SECRET).assertOk();
        String setNotify = RegionMountIT.PY + String.join("\n",
                "p, value = sys.argv[1:3]",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "os.ftruncate(fd, 4096)",
                "os.close(fd)",
                "print(attempt(os.setxattr, p, 'user.gnt.notify', value.encode()), attempt(os.setxattr, p, 'user.gnt.notify', b'byte 9'),",
                "      os.getxattr(p, 'user.gnt.notify').decode())",
                "os.unlink(p)");

        StringBuilder byNobody = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            byNobody.append(asNobody(setNotify, gntfs.path("sticky/n" + i), "event 77").assertOk().out());
        }
        String byRoot = Proc.python(RegionMountIT.PY + String.join("\n",
                "p = sys.argv[1]",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "os.ftruncate(fd, 4096)",
                "os.close(fd)",
                "print(attempt(os.setxattr, p, 'user.gnt.notify', b'byte 9 event 78'))",
                "os.unlink(p)"), gntfs.path("byroot")).assertOk().out();

        assertThat(byNobody.toString()).isEqualTo("EPERM ok byte 9\n".repeat(5));
        assertThat(byRoot).isEqualTo("ok\n");
        assertThat(Proc.gntfs("peer", "events", gntfs.root(), "--port", 77).assertOk().out()).isEqualTo("0\n");
        assertThat(Proc.gntfs("peer", "events", gntfs.root(), "--port", 78).assertOk().out()).isEqualTo("1\n");
    }
}
