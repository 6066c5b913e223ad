"""Symbolic links, hard links and special files, one result line per step, for LinksIT.

Usage: namespace_ops.py DIR PHASE

PHASE "root" makes the tree as root; "nobody" acts on it as another user (run under setpriv);
"tree" prints every entry's lstat. Each line is a step's name and "ok ..." or "err ERRNO", so the
same phase on gntfs and on /dev/shm must print the same lines. No inode numbers or clock times are
printed, only whether two names share an inode and times that a step set itself.
"""
import ctypes, errno, os, socket, stat, sys

os.chdir(sys.argv[1])
phase = sys.argv[2]
os.umask(0o022)


def kind(mode):
    for name, test in (('lnk', stat.S_ISLNK), ('reg', stat.S_ISREG), ('dir', stat.S_ISDIR), ('fifo', stat.S_ISFIFO),
                       ('sock', stat.S_ISSOCK), ('chr', stat.S_ISCHR), ('blk', stat.S_ISBLK)):
        if test(mode):
            return name
    return 'other'


def tokens(st):
    k = kind(st.st_mode)
    line = 'type=%s mode=%o nlink=%d uid=%d gid=%d' % (k, stat.S_IMODE(st.st_mode), st.st_nlink, st.st_uid, st.st_gid)
    if k != 'dir':  # a directory's size is a documented difference
        line += ' size=%d blocks=%d' % (st.st_size, st.st_blocks)
    if k in ('chr', 'blk'):
        line += ' rdev=%d,%d' % (os.major(st.st_rdev), os.minor(st.st_rdev))
    return line


def step(name, f, *args, **kwargs):
    try:
        result = f(*args, **kwargs)
        line = 'ok' if result is None else 'ok %s' % (result,)
    except OSError as e:
        line = 'err ' + errno.errorcode.get(e.errno, str(e.errno))
    print(name, line)


def lstat(p):
    return tokens(os.lstat(p))


def same_inode(p, q):
    return os.lstat(p).st_ino == os.lstat(q).st_ino


def read(p):
    with open(p) as f:
        return f.read()


def write(p, text, mode=0o644):
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.write(fd, text.encode())
    os.close(fd)


def fstat_nlink(fd):
    return os.fstat(fd).st_nlink


def times(p, follow):
    st = os.stat(p, follow_symlinks=follow)
    return 'atime=%d mtime=%d' % (st.st_atime_ns, st.st_mtime_ns)


def lchmod(p, mode):
    """fchmodat2(AT_SYMLINK_NOFOLLOW), which Python's os.chmod does not reach (x86_64: 452)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(452, -100, p.encode(), mode, 0x100) != 0:
        raise OSError(ctypes.get_errno(), 'fchmodat2')


def open_close(p, flags):
    os.close(os.open(p, flags))


def fifo_round_trip(p):
    fd = os.open(p, os.O_RDWR)
    os.write(fd, b'through the pipe')
    data = os.read(fd, 100)
    os.close(fd)
    return data.decode()


def socket_round_trip(p):
    server = socket.socket(socket.AF_UNIX)
    server.bind(p)
    server.listen(1)
    client = socket.socket(socket.AF_UNIX)
    client.connect(p)
    peer, _ = server.accept()
    client.sendall(b'over the socket')
    data = peer.recv(100)
    for s in (peer, client, server):
        s.close()
    return data.decode()


def bind(p):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(p)
    finally:
        s.close()


def symlink_phase():
    write('a', 'hello')
    step('symlink s', os.symlink, 'a', 's')
    step('readlink s', os.readlink, 's')
    step('lstat s', lstat, 's')
    step('stat s', lambda: tokens(os.stat('s')))
    step('read s', read, 's')
    step('open s O_NOFOLLOW', open_close, 's', os.O_RDONLY | os.O_NOFOLLOW)
    step('open s O_PATH|O_NOFOLLOW', open_close, 's', os.O_PATH | os.O_NOFOLLOW)
    step('symlink loop', os.symlink, 'loop', 'loop')
    step('stat loop', os.stat, 'loop')
    step('open loop O_CREAT', open_close, 'loop', os.O_WRONLY | os.O_CREAT)
    step('symlink chain', lambda: (os.symlink('c2', 'c1'), os.symlink('a', 'c2')))
    step('read chain', read, 'c1')
    step('symlink dangling', os.symlink, 'nowhere', 'dangling')
    step('stat dangling', os.stat, 'dangling')
    step('lstat dangling', lstat, 'dangling')
    step('create through dangling', write, 'dangling', 'made through a link')
    step('read nowhere', read, 'nowhere')
    step('symlink 127', os.symlink, 'x' * 127, 'l127')
    step('lstat 127', lstat, 'l127')
    step('symlink 128', os.symlink, 'y' * 128, 'l128')
    step('lstat 128', lstat, 'l128')
    step('symlink 4095', os.symlink, 'z' * 4095, 'l4095')
    step('readlink 4095', lambda: len(os.readlink('l4095')))
    step('symlink 4096', os.symlink, 'z' * 4096, 'l4096')
    step('symlink non-utf8', os.symlink, b'bin\xff\xfe', b'bytes')
    step('readlink non-utf8', lambda: os.readlink(b'bytes').hex())
    step('symlink exists', os.symlink, 'b', 'a')
    step('readlink regular', os.readlink, 'a')
    step('lchown s', os.lchown, 's', 1000, 1001)
    step('lstat s owner', lstat, 's')
    step('stat a owner', lstat, 'a')
    step('utime s nofollow', os.utime, 's', ns=(1000000005, 2000000007), follow_symlinks=False)
    step('times s', times, 's', False)
    step('times a untouched', lambda: os.stat('a').st_mtime_ns != 2000000007)
    step('chmod s nofollow', lchmod, 's', 0o600)
    step('lstat s mode', lstat, 's')
    step('truncate through s', os.truncate, 's', 2)
    step('read a', read, 'a')
    os.mkdir('d')
    step('symlink to dir', os.symlink, 'd', 'ds')
    step('create in ds', write, 'ds/inside', 'in d')
    step('list d', lambda: sorted(os.listdir('d')))
    step('rmdir ds', os.rmdir, 'ds')
    step('unlink ds/', os.unlink, 'ds/')
    step('rename s', os.rename, 's', 'd/s')
    step('readlink d/s', os.readlink, 'd/s')
    step('read d/s', read, 'd/s')


def hard_link_phase():
    write('h', 'shared bytes')
    step('link h', os.link, 'h', 'd/h2')
    step('nlink h', lstat, 'h')
    step('same inode', same_inode, 'h', 'd/h2')
    step('write through d/h2', write, 'd/h2', 'rewritten')
    step('read h', read, 'h')
    step('unlink h', os.unlink, 'h')
    step('nlink d/h2', lstat, 'd/h2')
    fd = os.open('d/h2', os.O_RDWR)
    step('link while open', os.link, 'd/h2', 'h3')
    step('fstat nlink 2', fstat_nlink, fd)
    step('unlink both', lambda: (os.unlink('d/h2'), os.unlink('h3')))
    step('fstat nlink 0', fstat_nlink, fd)
    step('read unlinked', lambda: os.pread(fd, 100, 0).decode())
    step('link unlinked via proc', os.link, '/proc/self/fd/%d' % fd, 'back', follow_symlinks=True)
    os.close(fd)
    write('x', 'x bytes')
    step('link x y', os.link, 'x', 'y')
    write('z', 'z bytes')
    step('rename z over x', os.rename, 'z', 'x')
    step('read x', read, 'x')
    step('read y', read, 'y')
    step('nlink y', lstat, 'y')
    step('link y p', os.link, 'y', 'p')
    step('rename y onto p', os.rename, 'y', 'p')
    step('both stay', lambda: (os.path.lexists('y'), os.path.lexists('p')))
    step('rename p into d', os.rename, 'p', 'd/p')
    step('nlink d/p', lstat, 'd/p')
    step('link dir', os.link, 'd', 'd2')
    step('link missing', os.link, 'missing', 'm2')
    step('link onto existing', os.link, 'x', 'y')
    step('link symlink itself', os.link, 'c2', 'c3', follow_symlinks=False)
    step('lstat c2', lstat, 'c2')
    step('readlink c3', os.readlink, 'c3')
    step('link through symlink', os.link, 'c2', 'c4', follow_symlinks=True)
    step('lstat c4', lstat, 'c4')
    step('unlink c2', os.unlink, 'c2')
    step('readlink c3 after', os.readlink, 'c3')


def special_phase():
    step('mkfifo f', os.mkfifo, 'f', 0o640)
    step('lstat f', lstat, 'f')
    step('fifo round trip', fifo_round_trip, 'f')
    step('open f nonblocking reader', open_close, 'f', os.O_RDONLY | os.O_NONBLOCK)
    step('open f nonblocking writer', open_close, 'f', os.O_WRONLY | os.O_NONBLOCK)
    step('mkfifo exists', os.mkfifo, 'f')
    step('truncate f', os.truncate, 'f', 0)
    step('link f', os.link, 'f', 'd/f2')
    step('lstat d/f2', lstat, 'd/f2')
    step('socket round trip', socket_round_trip, 'sock')
    step('lstat sock', lstat, 'sock')
    step('bind again', bind, 'sock')
    step('connect after close', lambda: socket.socket(socket.AF_UNIX).connect('sock'))
    step('mknod chr', os.mknod, 'null', 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    step('lstat chr', lstat, 'null')
    step('mknod blk', os.mknod, 'loopdev', 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    step('lstat blk', lstat, 'loopdev')
    step('mknod reg', os.mknod, 'plain', 0o640 | stat.S_IFREG)
    step('lstat reg', lstat, 'plain')
    step('mknod dir', os.mknod, 'nodir', 0o755 | stat.S_IFDIR)
    step('chmod fifo', os.chmod, 'f', 0o600)
    step('chown fifo', os.chown, 'f', 1000, 1000)
    step('lstat f after', lstat, 'f')
    step('rename fifo', os.rename, 'f', 'f3')
    step('unlink d/f2', os.unlink, 'd/f2')
    step('lstat f3', lstat, 'f3')
    os.mkdir('w')
    os.chmod('w', 0o1777)
    write('w/root600', 'root only', 0o600)
    write('w/root644', 'root, read by all', 0o644)
    os.symlink('root644', 'w/rootlink')
    os.mkfifo('w/rootfifo', 0o666)


def nobody_phase():
    step('link unreadable', os.link, 'w/root600', 'w/mine1')
    step('link unwritable', os.link, 'w/root644', 'w/mine2')
    write('w/mine', 'mine')
    step('link own', os.link, 'w/mine', 'w/mine3')
    step('nlink own', lstat, 'w/mine3')
    step('symlink in sticky dir', os.symlink, 'root644', 'w/nl')
    step('lstat own link', lstat, 'w/nl')
    step('read through own link', read, 'w/nl')
    step('read through root link', read, 'w/rootlink')
    step('unlink root link', os.unlink, 'w/rootlink')
    step('rename root link', os.rename, 'w/rootlink', 'w/taken')
    step('rename over root link', os.rename, 'w/nl', 'w/rootlink')
    step('lchown own link to root', os.lchown, 'w/nl', 0, 0)
    step('utime own link', os.utime, 'w/nl', ns=(3000000000, 4000000000), follow_symlinks=False)
    step('times own link', times, 'w/nl', False)
    step('utime root link', os.utime, 'w/rootlink', ns=(5, 6), follow_symlinks=False)
    step('touch root link', os.utime, 'w/rootlink', None, follow_symlinks=False)
    step('link root fifo', os.link, 'w/rootfifo', 'w/myfifo2')
    step('mkfifo', os.mkfifo, 'w/myfifo', 0o600)
    step('link own fifo', os.link, 'w/myfifo', 'w/myfifo3')
    step('mknod chr', os.mknod, 'w/mydev', 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    step('bind', bind, 'w/mysock')
    step('unlink root fifo', os.unlink, 'w/rootfifo')
    step('unlink own', os.unlink, 'w/mine')


def tree_phase():
    for directory, subdirectories, files in os.walk('.'):
        subdirectories.sort()
        for name in sorted(subdirectories + files):
            p = os.path.join(directory, name)
            line = tokens(os.lstat(p))
            if stat.S_ISLNK(os.lstat(p).st_mode):
                line += ' -> %s' % os.readlink(p)[:20]
            print('tree', p, line)


if phase == 'root':
    symlink_phase()
    hard_link_phase()
    special_phase()
elif phase == 'nobody':
    nobody_phase()
else:
    tree_phase()
