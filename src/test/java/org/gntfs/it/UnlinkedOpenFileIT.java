package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An unlinked open file lives on by its descriptors alone, with no name at all: root's and another
 * uid's descriptors go on reading, writing, truncating, mapping and fstatting it, and its directory
 * lists only what is linked.
 */
class UnlinkedOpenFileIT {
    private static final String SECRET = "SECRET-UNLINKED-BYTES";

    /** As uid 65534: holds a file open, and on each line of input reads and fstats it. */
    private static final String HOLDER = RegionMountIT.PY + String.join("\n",
            "fd = os.open(sys.argv[1], os.O_RDONLY)",
            "print('open', flush=True)",
            "for line in sys.stdin:",
            "    print(os.pread(fd, 5, 0).decode(), os.fstat(fd).st_size, flush=True)");

    /**
     * As root: open, unlink (or rename over), list, then use the descriptors; meanwhile a process
     * of uid 65534 holds one of the files and fstats it after root changed it.
     */
    private static final String OWNER = RegionMountIT.PY + String.join("\n",
            "root, python, secret, holder = sys.argv[1:5]",
            "setpriv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', python, '-c']",
            "os.mkdir(os.path.join(root, 'shared'), 0o755)",
            "os.mkdir(os.path.join(root, 'private'), 0o700)",
            "fds = []",
            "readable = os.path.join(root, 'shared', 'readable')",
            "fd = os.open(readable, os.O_CREAT | os.O_RDWR, 0o644)",
            "os.write(fd, b'first')",
            "held = subprocess.Popen(setpriv + [holder, readable], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)",
            "held.stdout.readline()",
            "os.unlink(readable)",
            "os.pwrite(fd, b'later', 0)",
            "os.ftruncate(fd, 6000)",
            "held.stdin.write('\\n')",
            "held.stdin.flush()",
            "print('holder', held.stdout.readline().strip())",
            "held.stdin.close()",
            "held.wait()",
            "os.close(fd)",
            "for name in ('shared/own600', 'shared/own644', 'private/x'):",
            "    p = os.path.join(root, name)",
            "    fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600 if name.endswith('600') else 0o644)",
            "    os.write(fd, secret.encode())",
            "    os.unlink(p)",
            "    fds.append(fd)",
            "fd = os.open(os.path.join(root, 'shared', 'over'), os.O_CREAT | os.O_RDWR, 0o644)",
            "os.write(fd, secret.encode())",
            "open(os.path.join(root, 'shared', 'new'), 'w').write('new')",
            "os.rename(os.path.join(root, 'shared', 'new'), os.path.join(root, 'shared', 'over'))",
            "fds.append(fd)",
            "print(sorted(os.listdir(os.path.join(root, 'shared'))))",
            "for fd in fds:",
            "    before = os.pread(fd, len(secret), 0).decode()",
            "    os.pwrite(fd, b'W', 0)",
            "    os.ftruncate(fd, 8192)",
            "    m = mmap.mmap(fd, 8192)",
            "    m[8000] = 7",
            "    m.flush()",
            "    print(before == secret, os.pread(fd, 2, 0).decode(), os.fstat(fd).st_size, os.pread(fd, 1, 8000)[0])",
            "    m.close()",
            "    os.close(fd)");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs();

    @Test
    void anUnlinkedOpenFile_isListedNowhere_whileItsDescriptorsKeepWorking() throws Exception {
        String out = Proc.python(OWNER, gntfs.root(), SecurityIT.PYTHON, SECRET, HOLDER).assertOk().out();

        assertThat(out).isEqualTo(String.join("\n",
                "holder later 6000",
                "['over']",
                "True WE 8192 7",
                "True WE 8192 7",
                "True WE 8192 7",
                "True WE 8192 7",
                ""));
        gntfs.awaitUnlinkedRegionsReleased();
        assertThat(gntfs.tree().liveRegions()).hasSize(1);
        assertThat(gntfs.grantsInUse()).isEqualTo(gntfs.pagesOfLiveRegions()).isEqualTo(1);
    }
}
