package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Regions on a real mount, driven by other processes through real system calls. */
class RegionMountIT {
    /** Shared by the scripts: {@code attempt(f)} runs f and gives "ok" or the errno's name. */
    static final String PY = String.join("\n",
            "import os, sys, mmap, errno, subprocess",
            "def attempt(f, *a):",
            "    try:",
            "        f(*a)",
            "        return 'ok'",
            "    except OSError as e:",
            "        return errno.errorcode[e.errno]",
            "");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(1024, 0);

    @RegisterExtension
    final TmpfsOracle oracle = new TmpfsOracle();

    private String grefs(Path region) {
        return Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.grefs", region.toString())).assertOk().out();
    }

    @Test
    void twoProcessesMappingOnePath_seeEachOthersStoresAtOnce() {
        String out = Proc.python(PY + String.join("\n",
                "p = sys.argv[1]",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o644)",
                "os.ftruncate(fd, 3 * 4096)",
                "m = mmap.mmap(fd, 3 * 4096, mmap.MAP_SHARED)",
                "go, went = os.pipe()",
                "back, sent = os.pipe()",
                "pid = os.fork()",
                "if pid == 0:",
                "    m2 = mmap.mmap(os.open(p, os.O_RDWR), 3 * 4096, mmap.MAP_SHARED)",
                "    os.read(go, 1)",
                "    seen = m2[5000:5006]",
                "    m2[9000:9005] = b'child'",
                "    os.write(sent, seen)",
                "    os._exit(0)",
                "m[5000:5006] = b'parent'",
                "os.write(went, b'x')",
                "seen = os.read(back, 6)",
                "os.waitpid(pid, 0)",
                "print(seen.decode(), m[9000:9005].decode())"),
                gntfs.path("shared")).assertOk().out();

        assertThat(out.trim()).isEqualTo("parent child");
    }

    @ParameterizedTest
    @ValueSource(strings = {"msync", "fsync", "munmap", "close"})
    void afterWriteback_thePeerReadsTheBytesFromTheGrantedPage(String writeback) {
        String out = Proc.python(PY + String.join("\n",
                "p, how, jar = sys.argv[1], sys.argv[2], sys.argv[3]",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "os.ftruncate(fd, 8192)",
                "m = mmap.mmap(fd, 8192, mmap.MAP_SHARED)",
                "m[4100:4105] = b'hello'",
                "if how == 'msync': m.flush()",
                "if how == 'fsync': os.fsync(fd)",
                "if how == 'munmap': m.close()",
                "if how == 'close':",
                "    m.close()",
                "    os.close(fd)",
                "gref = os.getxattr(p, 'user.gnt.grefs').split()[1].decode()",
                "r = subprocess.run(['java', '-jar', jar, 'peer', 'read', os.path.dirname(p), '--as', '0',",
                "                    '--gref', gref, '--offset', '4', '--length', '5'], capture_output=True)",
                "print(r.returncode, r.stdout.decode(), r.stderr.decode())"),
                gntfs.path("fb"), writeback, Proc.JAR).assertOk().out();

        assertThat(out.trim()).isEqualTo("0 hello");
    }

    @Test
    void aPeerWrite_isSeenByTheNextOpen() throws Exception {
        Path region = gntfs.path("ring");
        Proc.python(PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.write(fd, b'local bytes')",
                "os.close(fd)"), region).assertOk();
        String gref = grefs(region).trim();

        Proc.gntfsWithInput("PEER".getBytes(UTF_8), "peer", "write", gntfs.root(), "--as", 0, "--gref", gref).assertOk();

        String viaMmap = Proc.python(PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_RDWR)",
                "m = mmap.mmap(fd, 11, mmap.MAP_SHARED)",
                "print(m[:11].decode())"), region).assertOk().out();
        assertThat(viaMmap.trim()).isEqualTo("PEERl bytes");
        assertThat(Files.readString(region)).isEqualTo("PEERl bytes");
    }

    @Test
    void unlinkWhileMapped_keepsThePagesUntilTheLastUserIsGone() {
        String out = Proc.python(PY + String.join("\n",
                "p = sys.argv[1]",
                "d = os.path.dirname(p)",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "os.ftruncate(fd, 8192)",
                "m = mmap.mmap(fd, 8192, mmap.MAP_SHARED)",
                "m[0:4] = b'kept'",
                "os.unlink(p)",
                "print('gone', os.path.exists(p), sorted(os.listdir(d)))",
                "print('deleted', '(deleted)' in open(os.path.join(d, '.grants')).read())",
                "m[8000:8004] = b'more'",
                "m.flush()",
                "os.lseek(fd, 8000, 0)",
                "print('data', m[0:4].decode(), os.read(fd, 4).decode())",
                "m.close()",
                "os.close(fd)"),
                gntfs.path("doomed")).assertOk().out();

        assertThat(out).contains("gone False ['.grants']", "deleted True", "data kept more");
        assertThat(gntfs.grantsInUse()).isZero();
        assertThat(gntfs.tree().liveRegions()).isEmpty();
    }

    @Test
    void anUnlinkedOpenRegion_inARemovedDirectory_keepsWorkingByHandle() {
        String out = Proc.python(PY + String.join("\n",
                "d = os.path.join(sys.argv[1], 'vm')",
                "os.mkdir(d)",
                "fd = os.open(os.path.join(d, 'fb'), os.O_CREAT | os.O_RDWR, 0o600)",
                "os.write(fd, b'before')",
                "m = mmap.mmap(fd, 6, mmap.MAP_SHARED)",
                "os.unlink(os.path.join(d, 'fb'))",
                "os.rmdir(d)",
                "os.pwrite(fd, b'after', 4096)",
                "os.ftruncate(fd, 8192)",
                "print(os.pread(fd, 6, 0).decode(), os.pread(fd, 5, 4096).decode(), m[:6].decode(),",
                "      os.lseek(fd, 0, os.SEEK_END))",
                "m.close()",
                "os.close(fd)"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("before after before 8192\n");
    }

    @Test
    void renameOverAnOpenRegion_hidesNoName() {
        String out = Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "a, b = os.path.join(d, 'a'), os.path.join(d, 'b')",
                "open(a, 'w').write('new')",
                "fb = os.open(b, os.O_CREAT | os.O_RDWR, 0o600)",
                "os.write(fb, b'old')",
                "os.rename(a, b)",
                "print(sorted(os.listdir(d)), open(b).read())",
                "os.lseek(fb, 0, 0)",
                "print(os.read(fb, 3).decode())"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("['.grants', 'b'] new\nold\n");
    }

    @Test
    void anUnlinkedOpenFile_stillTakesFchmodAndFutimens() {
        String out = Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "fd = os.open(os.path.join(d, 'gone'), os.O_CREAT | os.O_RDWR, 0o600)",
                "os.unlink(os.path.join(d, 'gone'))",
                "os.fchmod(fd, 0o640)",
                "os.utime(fd, (10, 20))",
                "st = os.fstat(fd)",
                "print(oct(st.st_mode & 0o777), int(st.st_mtime))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("0o640 20\n");
    }

    @Test
    void growing_grantsZeroedPagesAndKeepsBytesAndGrefs_shrinkingReleasesTheTail() {
        Path region = gntfs.path("r");
        Proc.python(PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.write(fd, b'abc')",
                "os.ftruncate(fd, 4096 + 1)"), region).assertOk();
        String before = grefs(region).trim();
        assertThat(before.split(" ")).hasSize(2);

        String out = Proc.python(PY + String.join("\n",
                "p = sys.argv[1]",
                "fd = os.open(p, os.O_RDWR)",
                "os.pwrite(fd, b'end', 5 * 4096)",
                "st = os.stat(p)",
                "print(st.st_size, st.st_blocks, os.pread(fd, 3, 0).decode(), os.pread(fd, 4096, 4096).count(0))",
                "os.ftruncate(fd, 2)",
                "os.ftruncate(fd, 3)",
                "st = os.stat(p)",
                "print(st.st_size, st.st_blocks, os.pread(fd, 3, 0))"), region).assertOk().out();

        assertThat(out).isEqualTo("20483 48 abc 4096\n3 8 b'ab\\x00'\n");
        assertThat(grefs(region).trim()).isEqualTo(before.split(" ")[0]);
        assertThat(gntfs.grantsInUse()).isEqualTo(1);
    }

    @Test
    void sizesAndBlocks_asLsAndStatShowThem() {
        Proc.python(PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o644)",
                "os.ftruncate(fd, 10000)"), gntfs.path("fb")).assertOk();

        assertThat(Proc.run(List.of("stat", "-c", "%s %b %B %U %a", gntfs.path("fb").toString())).assertOk().out())
                .isEqualTo("10000 24 512 root 644\n");
        String ls = Proc.run(List.of("ls", "-la", gntfs.root().toString())).assertOk().out();
        assertThat(ls).containsPattern("-rw-r--r-- +1 root +root +10000 .* fb\n").contains(".grants\n");
        assertThat(Proc.run(List.of("ls", gntfs.root().toString())).assertOk().out()).isEqualTo("fb\n");
    }

    @Test
    void growingPastThePool_failsWithEnospcAndLeaksNothing() {
        String out = Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "a = os.open(os.path.join(d, 'a'), os.O_CREAT | os.O_RDWR, 0o600)",
                "b = os.open(os.path.join(d, 'b'), os.O_CREAT | os.O_RDWR, 0o600)",
                "print(attempt(os.ftruncate, a, 1000 * 4096))",
                "print(attempt(os.ftruncate, a, 1100 * 4096), os.fstat(a).st_size // 4096)",
                "print(attempt(os.pwrite, a, b'x', 2000 * 4096), os.fstat(a).st_size // 4096)",
                "print(attempt(os.ftruncate, b, 25 * 4096), attempt(os.ftruncate, b, 24 * 4096))",
                "st = os.statvfs(d)",
                "print(st.f_bsize, st.f_blocks, st.f_bfree, st.f_namemax)"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("ok\nENOSPC 1000\nENOSPC 1000\nENOSPC ok\n4096 1024 0 255\n");
        assertThat(gntfs.grantsInUse()).isEqualTo(1024);
        assertThat(gntfs.tree().region("/a").grefs().length()).isEqualTo(1000);
        assertThat(Proc.run(List.of("df", "-B4096", "--output=size,used,avail", gntfs.root().toString())).assertOk().out())
                .containsPattern("\\n +1024 +1024 +0\\n");
    }

    @Test
    void grantAttributes_refuseChangesOnceThereArePagesAndBadValues() {
        String out = Proc.python(PY + String.join("\n",
                "p = sys.argv[1]",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "print(attempt(os.setxattr, p, 'user.gnt.domid', b'12'), attempt(os.setxattr, p, 'user.gnt.writable', b'0'))",
                "print(attempt(os.setxattr, p, 'user.gnt.domid', b'32752'), attempt(os.setxattr, p, 'user.gnt.domid', b'x'))",
                "print(attempt(os.setxattr, p, 'user.gnt.writable', b'2'))",
                "os.ftruncate(fd, 100)",
                "print(attempt(os.setxattr, p, 'user.gnt.domid', b'13'), attempt(os.setxattr, p, 'user.gnt.writable', b'1'))",
                "print(attempt(os.setxattr, p, 'user.gnt.grefs', b'1'), attempt(os.removexattr, p, 'user.gnt.grefs'))",
                "print(attempt(os.setxattr, p, 'user.gnt.notify', b'byte 100'), attempt(os.setxattr, p, 'user.gnt.notify', b'bite 1'))",
                "print(attempt(os.getxattr, p, 'security.capability'), attempt(os.getxattr, p, 'user.none'))",
                "print(attempt(os.setxattr, p, 'user.big', b'x' * 65537))",
                "os.setxattr(p, 'user.note', b'hi')",
                "print(os.listxattr(p))",
                "print([os.getxattr(p, n).decode() for n in ('user.gnt.domid', 'user.gnt.writable', 'user.note')])"),
                gntfs.path("r")).assertOk().out();

        assertThat(out).isEqualTo(String.join("\n",
                "ok ok",
                "EINVAL EINVAL",
                "EINVAL",
                "EBUSY EBUSY",
                "EPERM EPERM",
                "EINVAL EINVAL",
                "ENODATA ENODATA",
                "E2BIG",
                "['user.gnt.domid', 'user.gnt.writable', 'user.gnt.grefs', 'user.gnt.notify', 'user.note']",
                "['12', '0', 'hi']",
                ""));
        String report = Proc.run(List.of("cat", gntfs.path(".grants").toString())).assertOk().out();
        assertThat(report).contains("/r\t12\t1\tro\t0\t");
    }

    @Test
    void getfattr_showsTheGrantOfARegion() {
        Proc.python(PY + "os.ftruncate(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600), 3 * 4096)", gntfs.path("fb"))
                .assertOk();

        String out = Proc.run(List.of("getfattr", "-d", "-m", "-", gntfs.path("fb").toString())).assertOk().out();

        assertThat(out).contains(
                "user.gnt.domid=\"0\"", "user.gnt.grefs=\"8 9 10\"", "user.gnt.notify", "user.gnt.writable=\"1\"");
    }

    @Test
    void anotherUser_isRefusedAnOwnerOnlyRegion() {
        Proc.python(PY + String.join("\n",
                "for name, mode in (('private', 0o600), ('public', 0o644)):",
                "    os.close(os.open(os.path.join(sys.argv[1], name), os.O_CREAT | os.O_RDWR, mode))"),
                gntfs.root()).assertOk();

        String out = Proc.python(PY + String.join("\n",
                "os.setgid(65534)",
                "os.setuid(65534)",
                "d = sys.argv[1]",
                "print(attempt(os.open, os.path.join(d, 'private'), os.O_RDONLY))",
                "print(attempt(os.open, os.path.join(d, 'public'), os.O_RDONLY),"
                        + " attempt(os.open, os.path.join(d, 'public'), os.O_RDWR))",
                "print(attempt(os.unlink, os.path.join(d, 'public')))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("EACCES\nok EACCES\nEACCES\n");
    }

    @Test
    void newRegions_belongToTheCaller_andOwnershipChangesAsOnTmpfs() {
        String out = Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "os.mkdir(os.path.join(d, 'open'), 0o777)",
                "os.chmod(os.path.join(d, 'open'), 0o1777)",
                "pid = os.fork()",
                "if pid == 0:",
                "    os.setgid(65534)",
                "    os.setuid(65534)",
                "    os.close(os.open(os.path.join(d, 'open', 'mine'), os.O_CREAT | os.O_RDWR, 0o640))",
                "    os._exit(0)",
                "os.waitpid(pid, 0)",
                "p = os.path.join(d, 'open', 'mine')",
                "st = os.stat(p)",
                "print(st.st_uid, st.st_gid, oct(st.st_mode & 0o7777))",
                "os.chown(p, 1000, -1)",
                "os.chmod(p, 0o604)",
                "os.utime(p, (1000000000, 1200000000))",
                "st = os.stat(p)",
                "print(st.st_uid, st.st_gid, oct(st.st_mode & 0o7777), int(st.st_atime), int(st.st_mtime))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("65534 65534 0o640\n1000 65534 0o604 1000000000 1200000000\n");
    }

    /** chown(-1, -1) changes no owner but marks the change time, of a region and of a directory, as tmpfs does. */
    @Test
    void chownToTheSameOwner_marksTheChangeTime_asOnTmpfs() {
        String program = PY + String.join("\n",
                "import time",
                "d = sys.argv[1]",
                "os.close(os.open(os.path.join(d, 'f'), os.O_CREAT | os.O_RDWR, 0o644))",
                "os.mkdir(os.path.join(d, 'sub'))",
                "for name in ('f', 'sub'):",
                "    p = os.path.join(d, name)",
                "    before = os.stat(p)",
                "    time.sleep(0.02)",
                "    os.chown(p, -1, -1)",
                "    after = os.stat(p)",
                "    print(name, after.st_ctime_ns > before.st_ctime_ns, after.st_mtime_ns == before.st_mtime_ns,"
                        + " after.st_uid == before.st_uid)");
        String expected = Proc.python(program, oracle.path()).assertOk().out();

        assertThat(Proc.python(program, gntfs.root()).assertOk().out()).isEqualTo(expected);
        assertThat(expected).isEqualTo("f True True True\nsub True True True\n");
    }

    @Test
    void directories_mkdirReaddirRenameRmdir_andARenamedRegionKeepsItsGrefs() {
        Path region = gntfs.path("vm/fb");
        String out = Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "os.mkdir(os.path.join(d, 'vm'))",
                "os.ftruncate(os.open(os.path.join(d, 'vm', 'fb'), os.O_CREAT | os.O_RDWR, 0o600), 8192)",
                "print(os.listdir(os.path.join(d, 'vm')))",
                "print(attempt(os.rmdir, os.path.join(d, 'vm')))"),
                gntfs.root()).assertOk().out();
        assertThat(out).isEqualTo("['fb']\nENOTEMPTY\n");
        String before = grefs(region);

        out = Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "os.rename(os.path.join(d, 'vm'), os.path.join(d, 'vm2'))",
                "os.rename(os.path.join(d, 'vm2', 'fb'), os.path.join(d, 'fb'))",
                "print(attempt(os.rmdir, os.path.join(d, 'vm2')), sorted(os.listdir(d)))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("ok ['.grants', 'fb']\n");
        assertThat(grefs(gntfs.path("fb"))).isEqualTo(before);
    }

    @Test
    void links_symlinksAndFifos_areMade_butNoLinkOfTheReport_andLongNamesGetEnametoolong() {
        String out = Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "f = os.path.join(d, 'f')",
                "os.close(os.open(f, os.O_CREAT | os.O_RDWR, 0o600))",
                "print(attempt(os.link, f, os.path.join(d, 'hard')), attempt(os.symlink, f, os.path.join(d, 'soft')),"
                        + " attempt(os.mkfifo, os.path.join(d, 'fifo')), os.stat(f).st_nlink)",
                "print(attempt(os.link, os.path.join(d, '.grants'), os.path.join(d, 'report')))",
                "print(attempt(os.open, os.path.join(d, 'n' * 256), os.O_CREAT | os.O_RDWR),"
                        + " attempt(os.open, os.path.join(d, 'n' * 255), os.O_CREAT | os.O_RDWR))",
                "print(attempt(os.mkdir, os.path.join(d, '.grants')), attempt(os.unlink, os.path.join(d, '.grants')))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("ok ok ok 2\nEPERM\nENAMETOOLONG ok\nEEXIST EPERM\n");
    }

    @Test
    void grantsFileAndList_showEveryLiveRegion() {
        Proc.python(PY + String.join("\n",
                "d = sys.argv[1]",
                "os.mkdir(os.path.join(d, 'gui'))",
                "os.setxattr(os.path.join(d, 'gui'), 'user.gnt.domid', b'3')",
                "os.ftruncate(os.open(os.path.join(d, 'gui', 'fb'), os.O_CREAT | os.O_RDWR, 0o600), 3 * 4096)",
                "os.ftruncate(os.open(os.path.join(d, 'ring'), os.O_CREAT | os.O_RDWR, 0o600), 4096)"),
                gntfs.root()).assertOk();

        assertThat(Proc.run(List.of("cat", gntfs.path(".grants").toString())).assertOk().out())
                .isEqualTo("path\tdomid\tpages\taccess\tdirect\tgrefs\n/gui/fb\t3\t3\trw\t0\t8-10\n/ring\t0\t1\trw\t0\t11\n");
        assertThat(Proc.gntfs("list", gntfs.root()).assertOk().out()).isEqualTo(String.join("\n",
                "PATH     DOMID  PAGES  ACCESS  DIRECT  GREFS",
                "/gui/fb      3      3  rw           0  8-10",
                "/ring        0      1  rw           0  11",
                ""));
        assertThat(Proc.gntfs("list", gntfs.root(), "--json").assertOk().out()).isEqualTo(String.join("\n",
                "[",
                "  {\"path\":\"/gui/fb\",\"domid\":3,\"pages\":3,\"writable\":true,\"direct\":0,\"grefs\":[8,9,10]},",
                "  {\"path\":\"/ring\",\"domid\":0,\"pages\":1,\"writable\":true,\"direct\":0,\"grefs\":[11]}",
                "]",
                ""));
    }

    @Test
    void peer_refusesWhatIsNotGrantedToIt() {
        Proc.python(PY + String.join("\n",
                "p = sys.argv[1]",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "os.setxattr(p, 'user.gnt.writable', b'0')",
                "os.ftruncate(fd, 4096)"), gntfs.path("ro")).assertOk();
        String roGref = grefs(gntfs.path("ro")).trim();

        Proc.Result notGranted = Proc.gntfs("peer", "read", gntfs.root(), "--as", 0, "--gref", 500);
        Proc.Result otherDomain = Proc.gntfs("peer", "read", gntfs.root(), "--as", 4, "--gref", roGref);
        Proc.Result readOnly = Proc.gntfsWithInput(new byte[] {1}, "peer", "write", gntfs.root(), "--as", 0, "--gref", roGref);
        Proc.Result readable = Proc.gntfs("peer", "read", gntfs.root(), "--as", 0, "--gref", roGref, "--length", 3);

        assertThat(notGranted.exit()).isEqualTo(1);
        assertThat(notGranted.err()).isEqualTo("gntfs peer read: gref 500 is not granted\n");
        assertThat(otherDomain.exit()).isEqualTo(1);
        assertThat(otherDomain.err()).isEqualTo("gntfs peer read: gref " + roGref + " is granted to domain 0, not to domain 4\n");
        assertThat(readOnly.exit()).isEqualTo(1);
        assertThat(readOnly.err()).isEqualTo("gntfs peer write: gref " + roGref + " is a read-only grant\n");
        assertThat(readable.assertOk().out()).isEqualTo("\0\0\0");
    }

    @Test
    void unmapNotify_clearsTheByteForAMappingPeerAndSignalsTheEvent() throws Exception {
        Path region = gntfs.path("ring");
        Proc.python(PY + String.join("\n",
                "p = sys.argv[1]",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "os.pwrite(fd, b'\\x07', 4096 + 5)",
                "os.setxattr(p, 'user.gnt.notify', b'byte 4101 event 3')",
                "print(os.getxattr(p, 'user.gnt.notify').decode())"), region).assertOk();
        String gref = grefs(region).trim().split(" ")[1];
        Process watcher = new ProcessBuilder(
                "java", "-jar", Proc.JAR.toString(), "peer", "watch", gntfs.root().toString(),
                "--as", "0", "--gref", gref, "--offset", "5", "--timeout", "30")
                .redirectErrorStream(true)
                .start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(watcher.getInputStream(), UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("mapped gref " + gref + ", byte 5 is 7");

            Files.delete(region);

            assertThat(lines.readLine()).isEqualTo("cleared");
            assertThat(watcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(watcher.exitValue()).isZero();
        } finally {
            watcher.destroyForcibly();
        }
        assertThat(Proc.gntfs("peer", "events", gntfs.root(), "--port", 3).assertOk().out()).isEqualTo("1\n");
        assertThat(gntfs.grantsInUse()).isZero();
    }
}
