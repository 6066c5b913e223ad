package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every row of the bad-input table in docs/semantics.md: the errno or the result it gives, and
 * the proof that nothing was lost. Around each row the script takes a snapshot of the mount (the
 * listing, the bytes, size and grefs of a region, its attributes, the free grants) and reports
 * "LOST" if the row changed any of it.
 */
class BadInputIT {
    private static final int POOL = 64;

    /** Row id (as in docs/semantics.md) to a Python expression run with keep/empty/p()/pb() in scope. */
    private static final Map<String, String> ROWS = ImmutableMap.<String, String>builder()
            .put("N1", "scratch('dir//x', 0)")
            .put("N2", "os.open('', os.O_RDONLY)")
            .put("N3", "scratch('n' * 255, 0)")
            .put("N4", "os.open(p('n' * 256), os.O_CREAT | os.O_RDWR)")
            .put("N5", "os.open(p('\\u00e9' * 128), os.O_CREAT | os.O_RDWR)")
            .put("N6", "os.open(pb(b'bad\\xff'), os.O_CREAT | os.O_RDWR)")
            .put("N7", "os.mkdir(pb(b'dir/bad\\xfe'))")
            .put("N8", "os.stat(pb(b'keep\\xff'))")
            .put("S1", "os.ftruncate(keep, -1)")
            .put("S2", "os.ftruncate(keep, 2 ** 62)")
            .put("S3", "os.ftruncate(keep, 2 ** 44 + 1)")
            .put("S4", "os.ftruncate(keep, (" + POOL + " + 1) * 4096)")
            .put("S5", "scratch('odd', 5000)")
            .put("O1", "os.pread(keep, 10, 3 * 4096)")
            .put("O2", "os.pread(keep, 10, 2 ** 62)")
            .put("O3", "os.pwrite(keep, b'x', 2 ** 62)")
            .put("O4", "os.pwrite(keep, b'x', 2 ** 63 - 1)")
            .put("O5", "os.pwrite(keep, b'x', -1)")
            .put("X1", "os.setxattr(p('empty'), 'user.gnt.domid', b'x')")
            .put("X2", "os.setxattr(p('empty'), 'user.gnt.domid', b'99999999999999999999')")
            .put("X3", "os.setxattr(p('empty'), 'user.gnt.domid', b'-1')")
            .put("X4", "os.setxattr(p('empty'), 'user.gnt.domid', b'32752')")
            .put("X5", "os.setxattr(p('empty'), 'user.gnt.domid', b'')")
            .put("X6", "os.setxattr(p('empty'), 'user.gnt.writable', b'yes')")
            .put("X7", "os.setxattr(p('keep'), 'user.big', b'x' * 65537)")
            .put("X8", "os.setxattr(p('keep'), 'user.gnt.notify', b'byte 5000')")
            .put("X9", "os.setxattr(p('keep'), 'user.gnt.notify', b'byte -1')")
            .put("X10", "os.setxattr(p('keep'), 'user.gnt.notify', b'byte 99999999999999999999')")
            .put("X11", "os.setxattr(p('keep'), 'user.gnt.notify', b'event 4096')")
            .put("X12", "os.setxattr(p('keep'), 'user.gnt.grefs', b'8')")
            .put("X13", "os.setxattr(p('keep'), 'user.gnt.domid', b'3')")
            .put("X14", "os.setxattr(p('keep'), b'user.bad\\xff', b'x')")
            .buildOrThrow();

    private static final String SCRIPT = RegionMountIT.PY + String.join("\n",
            "d = sys.argv[1]",
            "p = lambda name: os.path.join(d, name)",
            "pb = lambda name: os.path.join(d.encode(), name)",
            "os.mkdir(p('dir'))",
            "keep = os.open(p('keep'), os.O_CREAT | os.O_RDWR, 0o600)",
            "os.write(keep, b'kept bytes' * 500)",
            "os.setxattr(p('keep'), 'user.note', b'kept')",
            "os.close(os.open(p('empty'), os.O_CREAT | os.O_RDWR, 0o600))",
            "def scratch(name, size):",
            "    fd = os.open(p(name), os.O_CREAT | os.O_RDWR, 0o600)",
            "    os.ftruncate(fd, size)",
            "    st = os.fstat(fd)",
            "    os.close(fd)",
            "    os.unlink(p(name))",
            "    return 'size=%d blocks=%d' % (st.st_size, st.st_blocks)",
            "def snapshot():",
            "    return (sorted(os.listdir(d)), sorted(os.listdir(p('dir'))), os.pread(keep, 10 ** 6, 0),",
            "            os.getxattr(p('keep'), 'user.gnt.grefs'), os.getxattr(p('keep'), 'user.note'),",
            "            os.getxattr(p('keep'), 'user.gnt.notify'), os.getxattr(p('empty'), 'user.gnt.domid'),",
            "            sorted(os.listxattr(p('keep'))),",
            "            os.statvfs(d).f_bfree)",
            "def row(expression):",
            "    before = snapshot()",
            "    try:",
            "        value = eval(expression)",
            "        result = 'ok' if value is None or isinstance(value, int) else 'ok ' + str(value)",
            "    except OSError as e:",
            "        result = errno.errorcode[e.errno]",
            "    except (ValueError, OverflowError) as e:",
            "        result = type(e).__name__",
            "    return result if snapshot() == before else result + ' LOST'",
            "for line in sys.stdin:",
            "    name, expression = line.rstrip('\\n').split(' ', 1)",
            "    print(name, row(expression), flush=True)");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(POOL, 0);

    @Test
    void everyBadInput_getsItsErrno_andLosesNothing() {
        StringBuilder input = new StringBuilder();
        ROWS.forEach((id, expression) -> input.append(id).append(' ').append(expression).append('\n'));

        String out = Proc.run(List.of("python3", "-c", SCRIPT, gntfs.root().toString()),
                input.toString().getBytes(UTF_8)).assertOk().out();

        assertThat(out).isEqualTo(String.join("\n",
                "N1 ok size=0 blocks=0",
                "N2 ENOENT",
                "N3 ok size=0 blocks=0",
                "N4 ENAMETOOLONG",
                "N5 ENAMETOOLONG",
                "N6 EILSEQ",
                "N7 EILSEQ",
                "N8 EILSEQ",
                "S1 EINVAL",
                "S2 EFBIG",
                "S3 EFBIG",
                "S4 ENOSPC",
                "S5 ok size=5000 blocks=16",
                "O1 ok b''",
                "O2 ok b''",
                "O3 EFBIG",
                "O4 EINVAL",
                "O5 EINVAL",
                "X1 EINVAL",
                "X2 EINVAL",
                "X3 EINVAL",
                "X4 EINVAL",
                "X5 EINVAL",
                "X6 EINVAL",
                "X7 E2BIG",
                "X8 EINVAL",
                "X9 EINVAL",
                "X10 EINVAL",
                "X11 EINVAL",
                "X12 EPERM",
                "X13 EBUSY",
                "X14 EILSEQ",
                ""));
        assertThat(gntfs.pagesOfLiveRegions()).isEqualTo(gntfs.grantsInUse()).isEqualTo(2);
    }

    @Test
    void badCommandLines_sayWhyInOneLine_andExitOneOrTwo() {
        Proc.python(RegionMountIT.PY + "os.ftruncate(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600), 4096)",
                gntfs.path("r")).assertOk();
        String root = gntfs.root().toString();

        assertCli("C1", Proc.gntfs("list", "/nonexistent/mount"), 1, "gntfs list: /nonexistent/mount is not a gntfs mount");
        assertCli("C2", Proc.gntfs("list", "/tmp"), 1, "gntfs list: /tmp is not a gntfs mount");
        assertCli("C3", Proc.gntfs("peer", "read", root, "--as", 0, "--gref", 3), 1, "gntfs peer read: gref 3 is not granted");
        assertCli("C3", Proc.gntfs("peer", "read", root, "--as", 0, "--gref", 999999), 1, "gntfs peer read: gref 999999 is not granted");
        assertCli("C3", Proc.gntfs("peer", "read", root, "--as", 0, "--gref", -1), 1, "gntfs peer read: gref -1 is not granted");
        assertCli("C4", Proc.gntfs("peer", "read", root, "--as", 0, "--gref", "x"), 2, "gntfs peer read: Invalid value for option '--gref'");
        assertCli("C2", Proc.gntfs("peer", "read", "/tmp", "--as", 0, "--gref", 8), 1, "gntfs peer read: /tmp is not a gntfs mount");
        assertCli("C4", Proc.gntfs("mount", "/nonexistent/mount"), 2, "gntfs mount: /nonexistent/mount is not a directory");
        assertThat(gntfs.grantsInUse()).isEqualTo(1);
    }

    /** One row of the table's CLI part: its exit status and the start of its one line. */
    private static void assertCli(String id, Proc.Result result, int exit, String start) {
        assertThat(result.exit()).as("%s: %s", id, result.err()).isEqualTo(exit);
        assertThat(result.err()).as(id).startsWith(start).hasLineCount(1);
        assertThat(result.out()).as(id).isEmpty();
    }
}
