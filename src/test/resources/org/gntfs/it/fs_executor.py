"""Runs file-system operations on one directory tree and prints one result line per operation.

Usage: fs_executor.py ROOT OPS_FILE

OPS_FILE holds one JSON object per line (see DifferentialFuzzIT's OpGenerator). Paths are
relative to ROOT. Handles ("h") and mappings ("m") are numbers chosen by the generator, so the
same sequence names the same objects on every tree. A result is "ok" or "err ERRNO", then
key=value tokens; written bytes come from a seeded pattern so that only seeds travel, and read
bytes are reported as length and digest. At the end every handle and mapping is closed and the
whole tree is walked, so the final state is compared too.
"""
import ctypes, errno, hashlib, json, mmap, os, stat, sys

root, ops_path = sys.argv[1], sys.argv[2]
fds = {}
regular_files = {}  # handle -> whether it was opened on a regular file
maps = {}  # map id -> (mmap, a descriptor of the mapped file, kept to learn its current size)
BASE = bytes((i * 31 + 17) % 251 + 1 for i in range(251))
OPEN_FLAGS = {'RDONLY': os.O_RDONLY, 'WRONLY': os.O_WRONLY, 'RDWR': os.O_RDWR,
              'CREAT': os.O_CREAT, 'EXCL': os.O_EXCL, 'TRUNC': os.O_TRUNC, 'APPEND': os.O_APPEND}
XATTR_FLAGS = {0: 0, 1: os.XATTR_CREATE, 2: os.XATTR_REPLACE}
WHENCE = {'SET': os.SEEK_SET, 'CUR': os.SEEK_CUR, 'END': os.SEEK_END}


class NoSuchHandle(Exception):
    pass


libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]


class Timespec(ctypes.Structure):
    _fields_ = [('tv_sec', ctypes.c_long), ('tv_nsec', ctypes.c_long)]


libc.utimensat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(Timespec), ctypes.c_int]
TIME_SPECIAL = {'NOW': (1 << 30) - 1, 'OMIT': (1 << 30) - 2}


def checked(result):
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number))


def fallocate(op):
    checked(libc.fallocate(fd_of(op), op['mode'], op['off'], op['len']))


def utimensat(op):
    """One time or both, NOW, OMIT or explicit; answers the explicit times read back, whether an
    omitted time stayed, and nothing of a time set to now, which no two trees share."""
    p = path(op['path'])
    specs = [Timespec(0, TIME_SPECIAL[t]) if t in TIME_SPECIAL else Timespec(t // 10**9, t % 10**9)
             for t in (op['atime'], op['mtime'])]
    before = os.stat(p)
    checked(libc.utimensat(-100, p.encode(), (Timespec * 2)(*specs), 0))
    after = os.stat(p)
    tokens = []
    for name, wanted, old, new in (('atime', op['atime'], before.st_atime_ns, after.st_atime_ns),
                                   ('mtime', op['mtime'], before.st_mtime_ns, after.st_mtime_ns)):
        if wanted == 'OMIT':
            tokens.append('%s=%s' % (name, 'same' if new == old else 'changed'))
        elif wanted != 'NOW':
            tokens.append('%s=%d' % (name, new))
    return ' '.join(tokens)


def path(name):
    return os.path.join(root, name)


def pattern(seed, length):
    start = seed % len(BASE)
    return (BASE[start:] + BASE * (length // len(BASE) + 1))[:length]


def digest(data):
    return 'len=%d sha=%s' % (len(data), hashlib.sha1(data).hexdigest()[:16])


def stat_tokens(st):
    kind = ('dir' if stat.S_ISDIR(st.st_mode) else 'reg' if stat.S_ISREG(st.st_mode)
            else 'lnk' if stat.S_ISLNK(st.st_mode) else 'fifo' if stat.S_ISFIFO(st.st_mode) else 'other')
    return 'type=%s mode=%o size=%d nlink=%d blocks=%d uid=%d gid=%d' % (
        kind, st.st_mode, st.st_size if kind in ('reg', 'lnk') else 0, st.st_nlink, st.st_blocks, st.st_uid, st.st_gid)


def fd_of(op):
    if op['h'] not in fds:
        raise NoSuchHandle()
    return fds[op['h']]


def map_of(op):
    if op['m'] not in maps:
        raise NoSuchHandle()
    return maps[op['m']]


def clipped(m, size_fd, off, length):
    """The part of [off, off + length) inside both the mapping and the file: elsewhere is SIGBUS.

    The size comes from lseek, by handle."""
    end = min(off + length, len(m), os.lseek(size_fd, 0, os.SEEK_END))
    return off, max(0, end - off)


def xattr_names(p, follow=True):
    names = os.listxattr(p, follow_symlinks=follow)
    return 'names=' + ','.join(sorted(names)) if names else 'names='


def close_handle(op):
    os.close(fd_of(op))
    del fds[op['h']]


def unmap_mapping(op):
    map_of(op)
    unmap(op['m'])


# Operations whose only result is success or an errno.
ACTIONS = {
    'close': close_handle,
    'ftruncate': lambda op: os.ftruncate(fd_of(op), op['size']),
    'fallocate': fallocate,
    'fsync': lambda op: os.fsync(fd_of(op)),
    'msync': lambda op: map_of(op)[0].flush(),
    'munmap': unmap_mapping,
    'truncate': lambda op: os.truncate(path(op['path']), op['size']),
    'rename': lambda op: os.rename(path(op['path']), path(op['to'])),
    'unlink': lambda op: os.unlink(path(op['path'])),
    'mkdir': lambda op: os.mkdir(path(op['path']), op['mode']),
    'rmdir': lambda op: os.rmdir(path(op['path'])),
    'chmod': lambda op: os.chmod(path(op['path']), op['mode']),
    'chown': lambda op: os.chown(path(op['path']), op['uid'], op['gid']),
    'setxattr': lambda op: os.setxattr(
        path(op['path']), op['name'], pattern(op['seed'], op['len']), XATTR_FLAGS[op['flags']]),
    'removexattr': lambda op: os.removexattr(path(op['path']), op['name']),
    'symlink': lambda op: os.symlink(op['target'], path(op['path'])),
    'link': lambda op: os.link(path(op['path']), path(op['to'])),
    'mkfifo': lambda op: os.mkfifo(path(op['path']), op['mode']),
}


def is_fifo(p):
    try:
        return stat.S_ISFIFO(os.stat(p).st_mode)
    except OSError:
        return False


def open_handle(op):
    flags = 0
    for flag in op['flags']:
        flags |= OPEN_FLAGS[flag]
    if op['h'] in fds:
        os.close(fds.pop(op['h']))
    if is_fifo(path(op['path'])):
        flags |= os.O_NONBLOCK  # a blocking open of a fifo waits for the other end forever
    fds[op['h']] = os.open(path(op['path']), flags, op.get('mode', 0o600))
    regular_files[op['h']] = stat.S_ISREG(os.fstat(fds[op['h']]).st_mode)
    return ''


def map_handle(op):
    fd = fd_of(op)
    if op['m'] in maps:
        unmap(op['m'])
    prot = mmap.PROT_READ | (mmap.PROT_WRITE if op['write'] else 0)
    size = 0  # mmap(fd, 0) maps the whole file as fstat sizes it, and fails otherwise
    if regular_files[op['h']]:
        # Only a regular file's size is asked for: a directory's differs (TmpfsDifference.DIRECTORY_SIZE).
        size = os.lseek(fd, 0, os.SEEK_END)
        if size == 0:
            raise ValueError('cannot mmap an empty file')
    m = mmap.mmap(fd, size, mmap.MAP_SHARED, prot)
    maps[op['m']] = (m, os.dup(fd))
    return 'len=%d' % len(m)


def write_mapping(op):
    m, size_fd = map_of(op)
    off, count = clipped(m, size_fd, op['off'], op['len'])
    m[off:off + count] = pattern(op['seed'], count)
    return 'count=%d' % count


def read_mapping(op):
    m, size_fd = map_of(op)
    off, count = clipped(m, size_fd, op['off'], op['len'])
    return digest(m[off:off + count])


def seek(op):
    """SEEK_END on a directory is EINVAL on tmpfs but a plain seek through FUSE, and the positions
    would stay apart: a documented difference (docs/semantics.md) that is not exercised here."""
    fd = fd_of(op)
    whence = op['whence'] if regular_files[op['h']] else 'SET'
    return 'pos=%d' % os.lseek(fd, op['off'], WHENCE[whence])


# Operations that answer more than success: their result tokens.
QUERIES = {
    'open': open_handle,
    'pread': lambda op: digest(os.pread(fd_of(op), op['len'], op['off'])),
    'pwrite': lambda op: 'count=%d' % os.pwrite(fd_of(op), pattern(op['seed'], op['len']), op['off']),
    'write': lambda op: 'count=%d' % os.write(fd_of(op), pattern(op['seed'], op['len'])),
    'lseek': seek,
    'fstat': lambda op: stat_tokens(os.fstat(fd_of(op))),
    'mmap': map_handle,
    'mwrite': write_mapping,
    'mread': read_mapping,
    'stat': lambda op: stat_tokens(os.stat(path(op['path']))),
    'lstat': lambda op: stat_tokens(os.lstat(path(op['path']))),
    'readlink': lambda op: 'target=' + os.readlink(path(op['path'])),
    'utimensat': utimensat,
    'readdir': lambda op: 'entries=' + ','.join(sorted(os.listdir(path(op['path'])))),
    'getxattr': lambda op: digest(os.getxattr(path(op['path']), op['name'])),
    'listxattr': lambda op: xattr_names(path(op['path'])),
}


def run(op):
    kind = op['op']
    if kind in ACTIONS:
        ACTIONS[kind](op)
        return ''
    return QUERIES[kind](op)


def unmap(map_id):
    m, size_fd = maps.pop(map_id)
    m.close()
    os.close(size_fd)


def result(op):
    try:
        tokens = run(op)
        return ('ok ' + tokens).rstrip()
    except NoSuchHandle:
        return 'err NOHANDLE'
    except OSError as e:
        return 'err ' + errno.errorcode.get(e.errno, str(e.errno))
    except (ValueError, OverflowError, TypeError) as e:
        return 'err ' + type(e).__name__


def walk():
    """The final tree: every entry's stat, contents and attributes, in path order."""
    lines = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(subdirectories + files):
            p = os.path.join(directory, name)
            st = os.lstat(p)
            line = 'walk %s %s %s' % (os.path.relpath(p, root), stat_tokens(st), xattr_names(p, follow=False))
            if stat.S_ISLNK(st.st_mode):
                line += ' target=' + os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                with open(p, 'rb') as f:
                    line += ' ' + digest(f.read())
            lines.append(line)
    return lines


out = sys.stdout
with open(ops_path) as ops:
    for line in ops:
        out.write(result(json.loads(line)) + '\n')
for map_id in list(maps):
    unmap(map_id)
for handle in list(fds):
    os.close(fds.pop(handle))
for line in walk():
    out.write(line + '\n')
out.flush()
