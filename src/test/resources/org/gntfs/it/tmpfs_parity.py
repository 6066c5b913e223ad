"""fallocate, lseek SEEK_DATA/SEEK_HOLE and utimensat on one tree, one line per call: the same
script runs on gntfs and on a directory of /dev/shm, and the lines are compared.

Usage: tmpfs_parity.py ROOT CASE   (CASE: fallocate, mapped-punch, zero-range,
zero-range-support, virtual-file, lseek, times, times-setup, times-as-other, sparse-write,
grow-past-the-pool). Errors are errno names; contents are digests.
"""
import ctypes, errno, hashlib, mmap, os, sys, time

libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]


class Timespec(ctypes.Structure):
    _fields_ = [('tv_sec', ctypes.c_long), ('tv_nsec', ctypes.c_long)]


libc.utimensat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(Timespec), ctypes.c_int]
AT_FDCWD = -100
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
KEEP_SIZE, PUNCH_HOLE, COLLAPSE_RANGE, ZERO_RANGE, INSERT_RANGE, UNSHARE_RANGE = 1, 2, 8, 0x10, 0x20, 0x40
PAGE = 4096
root, case = sys.argv[1], sys.argv[2]


def p(name):
    return os.path.join(root, name)


def fallocate(fd, mode, offset, length):
    if libc.fallocate(fd, mode, offset, length) == 0:
        return 'ok'
    return errno.errorcode[ctypes.get_errno()]


def utimensat(path, atime, mtime):
    """atime, mtime: UTIME_NOW, UTIME_OMIT, or nanoseconds since the epoch; None: both now (NULL)."""
    times = None
    if atime is not None:
        times = (Timespec * 2)(*[Timespec(t, t) if t in (UTIME_NOW, UTIME_OMIT) else Timespec(t // 10**9, t % 10**9)
                                 for t in (atime, mtime)])
        for spec, t in zip(times, (atime, mtime)):
            if t in (UTIME_NOW, UTIME_OMIT):
                spec.tv_sec = 0
    if libc.utimensat(AT_FDCWD, path.encode(), times, 0) == 0:
        return 'ok'
    return errno.errorcode[ctypes.get_errno()]


def attempt(f, *a):
    try:
        r = f(*a)
        return 'ok' if r is None else str(r)
    except OSError as e:
        return errno.errorcode[e.errno]


def digest(data):
    return 'len=%d sha=%s' % (len(data), hashlib.sha1(data).hexdigest()[:12])


def pattern(length, seed=7):
    return bytes((i * 31 + seed) % 251 + 1 for i in range(length))


def contents(fd):
    return digest(os.pread(fd, os.fstat(fd).st_size + 1, 0))


def tick():
    """Lets the coarse clock that stamps tmpfs times move on, so that a change of a time shows."""
    time.sleep(0.02)


def fresh(name, data):
    fd = os.open(p(name), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data)
    return fd


def case_fallocate():
    fd = fresh('f', pattern(3 * PAGE + 100))
    calls = [(0, 0, 100), (0, PAGE, 3 * PAGE), (0, 5 * PAGE - 1, 2), (KEEP_SIZE, 0, 10), (KEEP_SIZE, 6 * PAGE, 50 * PAGE),
             (KEEP_SIZE, 1 << 40, 1), (PUNCH_HOLE | KEEP_SIZE, 100, 50), (PUNCH_HOLE | KEEP_SIZE, PAGE - 1, PAGE + 2),
             (PUNCH_HOLE | KEEP_SIZE, 4 * PAGE, 10 * PAGE), (PUNCH_HOLE | KEEP_SIZE, 1 << 40, PAGE),
             (PUNCH_HOLE, 0, 10), (PUNCH_HOLE | ZERO_RANGE, 0, 10), (COLLAPSE_RANGE, 0, PAGE), (INSERT_RANGE, 0, PAGE),
             (UNSHARE_RANGE, 0, PAGE), (0x80, 0, PAGE), (0, -1, 10), (0, 0, 0), (0, 10, -5), (0, (1 << 63) - 2, 10),
             (KEEP_SIZE, (1 << 63) - 2, 10)]
    for mode, offset, length in calls:
        before = os.fstat(fd)
        tick()
        result = fallocate(fd, mode, offset, length)
        after = os.fstat(fd)
        print('mode=%#x off=%d len=%d %s size=%d mtime=%s ctime=%s %s' % (
            mode, offset, length, result, after.st_size, 'changed' if after.st_mtime_ns != before.st_mtime_ns else 'same',
            'changed' if after.st_ctime_ns != before.st_ctime_ns else 'same', contents(fd)))
    print('posix_fallocate', attempt(os.posix_fallocate, fd, 9 * PAGE, 3), os.fstat(fd).st_size, contents(fd))
    readonly = os.open(p('f'), os.O_RDONLY)
    print('read-only fd', fallocate(readonly, 0, 0, 1), fallocate(readonly, PUNCH_HOLE | KEEP_SIZE, 0, 1))
    directory = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    print('directory fd', fallocate(directory, 0, 0, 1), fallocate(directory, KEEP_SIZE, 0, 1))
    appending = os.open(p('f'), os.O_WRONLY | os.O_APPEND)
    print('append fd', fallocate(appending, 0, 0, 1), fallocate(appending, PUNCH_HOLE | KEEP_SIZE, 0, 1))


def case_mapped_punch():
    """A mapping reads zeros where a punch went, also over its own stores not yet written back."""
    fd = fresh('m', pattern(4 * PAGE))
    reader = mmap.mmap(fd, 4 * PAGE, mmap.MAP_SHARED, mmap.PROT_READ)
    writer = mmap.mmap(fd, 4 * PAGE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    print('before', digest(reader[:]))
    writer[PAGE:3 * PAGE] = pattern(2 * PAGE, 99)  # dirty, not yet written back
    print('punch', fallocate(fd, PUNCH_HOLE | KEEP_SIZE, PAGE + 10, PAGE))
    print('reader', digest(reader[:]), 'zeros', reader[PAGE + 10:2 * PAGE + 10] == bytes(PAGE))
    print('writer', digest(writer[:]))
    print('pread', contents(fd))
    writer.close()
    reader.close()
    os.close(fd)
    fd = os.open(p('m'), os.O_RDONLY)
    print('reopened', contents(fd))


def zeroed(fd, offset, length, keep_size):
    """ZERO_RANGE where the file system has it; tmpfs lacks it, so there a punch, then a grow."""
    result = fallocate(fd, ZERO_RANGE | (KEEP_SIZE if keep_size else 0), offset, length)
    if result != errno.errorcode[errno.EOPNOTSUPP]:
        return result
    result = fallocate(fd, PUNCH_HOLE | KEEP_SIZE, offset, length)
    if not keep_size and offset + length > os.fstat(fd).st_size:
        os.ftruncate(fd, offset + length)
    return result


def case_zero_range():
    fd = fresh('z', pattern(3 * PAGE))
    m = mmap.mmap(fd, 3 * PAGE, mmap.MAP_SHARED, mmap.PROT_READ)
    for offset, length, keep_size in [(100, 10, True), (PAGE - 3, PAGE + 6, False), (2 * PAGE, 4 * PAGE, True),
                                      (2 * PAGE + 7, 3 * PAGE, False)]:
        print('zero', offset, length, keep_size, zeroed(fd, offset, length, keep_size), os.fstat(fd).st_size,
              contents(fd), digest(m[:]))


def case_zero_range_support():
    fd = fresh('zs', pattern(10))
    print('zero range', fallocate(fd, ZERO_RANGE, 2, 3), fallocate(fd, ZERO_RANGE | KEEP_SIZE, 0, 1), contents(fd))


def case_virtual_file():
    """gntfs's .grants: not writable, so fallocate never reaches it."""
    print('open for writing', attempt(os.open, p('.grants'), os.O_RDWR))
    fd = os.open(p('.grants'), os.O_RDONLY)
    print('fallocate', fallocate(fd, 0, 0, 1), fallocate(fd, KEEP_SIZE, 0, 1), fallocate(fd, PUNCH_HOLE | KEEP_SIZE, 0, 1))


def case_lseek():
    fd = fresh('s', pattern(3 * PAGE + 5))
    size = os.fstat(fd).st_size
    for whence, name in ((os.SEEK_DATA, 'DATA'), (os.SEEK_HOLE, 'HOLE')):
        print(name, ' '.join('%d:%s' % (off, attempt(os.lseek, fd, off, whence))
                             for off in (0, 1, PAGE - 1, PAGE, 2 * PAGE + 1, size - 1, size, size + 1, 1 << 40)))
    empty = fresh('e', b'')
    print('empty', attempt(os.lseek, empty, 0, os.SEEK_DATA), attempt(os.lseek, empty, 0, os.SEEK_HOLE))


def times(name):
    st = os.stat(p(name))
    return st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns


def shown(value, old, before, after):
    """'same' if the call left the time, 'now' if it lies within the call (the coarse clock that
    stamps tmpfs times lags up to a tick behind time_ns), else the time the call set."""
    if value == old:
        return 'same'
    return 'now' if before - 10 * 10**6 <= value <= after else str(value)


def case_times():
    os.close(fresh('t', b'x'))
    steps = [('explicit', 1000 * 10**9 + 5, 2000 * 10**9 + 250), ('touch -a', UTIME_NOW, UTIME_OMIT),
             ('explicit', 3000 * 10**9, 4000 * 10**9 + 999999999), ('touch -m', UTIME_OMIT, UTIME_NOW),
             ('atime only', 5000 * 10**9 + 1, UTIME_OMIT), ('mtime only', UTIME_OMIT, 6000 * 10**9 + 2),
             ('omit both', UTIME_OMIT, UTIME_OMIT), ('now both', UTIME_NOW, UTIME_NOW), ('NULL', None, None),
             ('before 1970', -10**9 - 5, 0)]
    for name, atime, mtime in steps:
        old = times('t')
        tick()
        before = time.time_ns()
        result = utimensat(p('t'), atime, mtime)
        after = time.time_ns()
        new = times('t')
        print('%s %s atime=%s mtime=%s ctime=%s' % (name, result, shown(new[0], old[0], before, after),
                                                    shown(new[1], old[1], before, after),
                                                    'changed' if new[2] != old[2] else 'same'))


def case_times_setup():
    for name, mode in (('all-write', 0o666), ('owner-write', 0o644)):
        os.close(fresh(name, b'x'))
        os.chmod(p(name), mode)


def case_times_as_other():
    """As another uid, on root's files: 0666 (writable by all) and 0644."""
    for name in ('all-write', 'owner-write'):
        print(name, ' '.join('%s:%s' % (what, utimensat(p(name), a, m)) for what, a, m in [
            ('NULL', None, None), ('now-now', UTIME_NOW, UTIME_NOW), ('now-omit', UTIME_NOW, UTIME_OMIT),
            ('omit-now', UTIME_OMIT, UTIME_NOW), ('omit-omit', UTIME_OMIT, UTIME_OMIT),
            ('explicit', 10**9, 10**9), ('omit-explicit', UTIME_OMIT, 10**9), ('explicit-now', 10**9, UTIME_NOW)]))


def case_sparse_write():
    fd = fresh('sparse', b'')
    print('pwrite', attempt(os.pwrite, fd, b'x', (1 << 31) + 1), 'size', os.fstat(fd).st_size)
    print('pwrite near', attempt(os.pwrite, fd, b'y', 3 * PAGE), 'size', os.fstat(fd).st_size)


def case_grow_past_the_pool():
    fd = fresh('g', pattern(PAGE + 1))
    for mode, offset, length in [(0, 0, 64 << 20), (ZERO_RANGE, PAGE, 64 << 20), (KEEP_SIZE, 0, 64 << 20),
                                 (0, 0, (1 << 44) + 1), (0, 0, 2 * PAGE)]:
        print('mode=%#x len=%d %s size=%d %s' % (mode, length, fallocate(fd, mode, offset, length), os.fstat(fd).st_size,
                                                 contents(fd)))
    print('posix_fallocate', attempt(os.posix_fallocate, fd, 0, 64 << 20), os.fstat(fd).st_size)


globals()['case_' + case.replace('-', '_')]()
