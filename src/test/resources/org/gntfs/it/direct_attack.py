"""Speaks the direct-mapping protocol by hand, to try what a hostile client would.

    python3 direct_attack.py readonly REGION     a read-only answer: try to turn it into write access
    python3 direct_attack.py beyond REGION       a read-write answer: try to store past the region's pages
    python3 direct_attack.py send KIND REGION    send a request with odd descriptors (opath, other, two, none),
                                                 or 'alone': the region's O_RDWR open and nothing else
    python3 direct_attack.py race DIR ATTEMPTS   swap DIR/mine and DIR/private while mapping DIR/mine/x
Each prints one line of results: 'ok' or an errno name per attempt.
"""
import ctypes
import errno
import mmap
import os
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def attempt(f, *a):
    try:
        f(*a)
        return 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]


def socket_of(path):
    directory = os.path.dirname(os.path.realpath(path))
    while not os.path.ismount(directory):
        directory = os.path.dirname(directory)
    return os.getxattr(directory, 'user.gnt.socket').decode()


def ask(path, descriptors):
    """Sends 'map v2' with the descriptors; the reply's text and the descriptors that came with it."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(socket_of(path))
    socket.send_fds(s, [b'map v2\n'], descriptors)
    reply, fds = b'', []
    while not (reply.endswith(b'\nend\n') or (reply.startswith(b'error ') and reply.endswith(b'\n'))):
        more, more_fds, _, _ = socket.recv_fds(s, 65536, 253)
        if not more:
            break
        reply, fds = reply + more, fds + more_fds
    return s, reply.decode(), fds


def native(call, *a):
    if call(*a) in (-1, ctypes.c_void_p(-1).value):
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def readonly(path):
    fd = os.open(path, os.O_RDONLY)
    s, reply, fds = ask(path, [fd])
    os.close(fd)
    lent = fds[0]
    address = libc.mmap(None, 4096, mmap.PROT_READ, mmap.MAP_SHARED, lent, 0)
    print(reply.split()[0], reply.split()[3],
          attempt(os.open, '/proc/self/fd/%d' % lent, os.O_RDWR),
          attempt(os.fchmod, lent, 0o666),
          attempt(mmap.mmap, lent, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE),
          attempt(native, libc.mprotect, address, 4096, mmap.PROT_READ | mmap.PROT_WRITE),
          attempt(os.pwrite, lent, b'x', 0),
          attempt(os.ftruncate, lent, 0))


def beyond(path):
    fd = os.open(path, os.O_RDWR)
    s, reply, fds = ask(path, [fd])
    os.close(fd)
    lent = fds[-1]
    size = os.fstat(lent).st_size
    results = [attempt(os.pwrite, lent, b'x' * 4096, size), attempt(os.pwrite, lent, b'x', 1 << 40),
               attempt(os.ftruncate, lent, size + 4096), attempt(os.posix_fallocate, lent, size, 1 << 20)]
    blocks = sum(os.fstat(f).st_blocks for f in fds)
    print(reply.split()[0], *results, 'sizes', *(os.fstat(f).st_size for f in fds), 'blocks', blocks)


def send(kind, path):
    region = os.open(path, os.O_RDWR if kind == 'alone' else os.O_RDONLY)
    descriptors = {'opath': [os.open(path, os.O_PATH)], 'other': [os.open(sys.argv[0], os.O_RDONLY)],
                   'two': [region, region], 'none': [], 'alone': [region]}[kind]
    s, reply, fds = ask(path, descriptors)
    print(reply.split()[1] if reply.startswith('error ') else reply.split()[0], len(fds))


def race(directory, attempts):
    """One child swaps mine and private; this process opens mine/x and maps what it opened."""
    mine, private, spare = (os.path.join(directory, n) for n in ('mine', 'private', 'spare'))
    swapper = os.fork()
    if swapper == 0:
        while True:
            for a, b in ((mine, spare), (private, mine), (mine, private), (spare, mine)):
                try:
                    os.rename(a, b)
                except OSError:
                    pass
    leaked = opened = 0
    try:
        for _ in range(attempts):
            try:
                fd = os.open(os.path.join(mine, 'x'), os.O_RDONLY)
            except OSError:
                continue
            opened += 1
            s, reply, fds = ask(os.path.join(directory, 'x-socket-anchor'), [fd])
            os.close(fd)
            if fds:
                m = mmap.mmap(fds[0], 4096, mmap.MAP_SHARED, mmap.PROT_READ)
                leaked += m[:6] == b'secret'
                m.close()
            for f in fds:
                os.close(f)
            s.close()
    finally:
        os.kill(swapper, 9)
        os.waitpid(swapper, 0)
    print('opened', opened, 'leaked', leaked)


if __name__ == '__main__':
    verb = sys.argv[1]
    if verb == 'readonly':
        readonly(sys.argv[2])
    elif verb == 'beyond':
        beyond(sys.argv[2])
    elif verb == 'send':
        send(sys.argv[2], sys.argv[3])
    elif verb == 'race':
        race(sys.argv[2], int(sys.argv[3]))
