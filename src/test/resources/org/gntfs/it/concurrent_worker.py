"""One of several processes racing on the same few names of a mount.

Usage: concurrent_worker.py ROOT INDEX WORKERS SEED ROUNDS

Each round creates, grows, shrinks, writes (with pwrite or through a mapping), reads, renames or
unlinks one of a few names that every worker uses. Worker i only ever writes the byte i + 1, and
new pages are zero, so any other byte that a read or a mapping shows is one nobody wrote. Races
between workers give ENOENT (the name went), EEXIST or ENOSPC (the pool is full); any other
error, or a foreign byte, ends the worker with a message and exit status 1. Mapped accesses run
in a child process: a region shrunk by another worker under a mapping raises SIGBUS there, as
on tmpfs, and that is counted, not fatal. Prints one summary line of counts.
"""
import collections, errno, mmap, os, random, signal, sys

root, index, workers, seed, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed * 1000 + index)
NAMES = [os.path.join(root, 'r%d' % i) for i in range(6)]
PAGE = 4096
MAX_PAGES = 24
MINE = index + 1
WRITTEN = set(range(workers + 1))
RACES = {errno.ENOENT, errno.EEXIST, errno.ENOSPC}
counts = collections.Counter()


def fail(message):
    print('worker %d: %s' % (index, message), flush=True)
    sys.exit(1)


def check(data, where):
    foreign = set(data) - WRITTEN
    if foreign:
        fail('%s holds bytes nobody wrote: %s' % (where, sorted(foreign)[:8]))


def opened(name, flags=os.O_RDWR):
    return os.open(name, flags, 0o600)


def create(name):
    fd = opened(name, os.O_CREAT | os.O_RDWR)
    try:
        os.ftruncate(fd, rng.randrange(0, 8 * PAGE))
    finally:
        os.close(fd)


def resize(name, grow):
    fd = opened(name)
    try:
        size = os.fstat(fd).st_size
        os.ftruncate(fd, min(MAX_PAGES * PAGE, size + rng.randrange(1, 8 * PAGE)) if grow else rng.randrange(0, size + 1))
    finally:
        os.close(fd)


def write(name):
    fd = opened(name)
    try:
        os.pwrite(fd, bytes([MINE]) * rng.randrange(1, 3 * PAGE), rng.randrange(0, MAX_PAGES * PAGE // 2))
    finally:
        os.close(fd)


def read(name):
    fd = opened(name, os.O_RDONLY)
    try:
        check(os.pread(fd, MAX_PAGES * PAGE * 2, 0), 'read of ' + name)
    finally:
        os.close(fd)


def store_through_mapping(name):
    fd = opened(name)
    size = os.fstat(fd).st_size
    if size > 0:
        m = mmap.mmap(fd, size, mmap.MAP_SHARED)
        start = rng.randrange(0, size)
        end = min(size, start + rng.randrange(1, 2 * PAGE))
        m[start:end] = bytes([MINE]) * (end - start)
        check(m[:], 'mapping of ' + name)
        m.flush()


def write_through_mapping(name):
    """In a child: map, store, read the whole mapping back, msync. SIGBUS means a shrink raced."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            store_through_mapping(name)
            status = 0
        except OSError as e:
            status = 0 if e.errno in RACES else 1
            if status:
                print('worker %d: unexpected %s' % (index, e), flush=True)
        except ValueError:
            status = 0  # another worker shrank the file between fstat and mmap
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGBUS:
        counts['sigbus'] += 1
    elif not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        fail('the mapping child of %s ended with status %d' % (name, status))


def rename(name):
    os.rename(name, rng.choice(NAMES))


OPERATIONS = [
    (create, 3), (lambda n: resize(n, True), 3), (lambda n: resize(n, False), 2), (write, 3),
    (read, 2), (write_through_mapping, 3), (rename, 2), (os.unlink, 1),
]
CHOICES = [op for op, weight in OPERATIONS for _ in range(weight)]

for _ in range(rounds):
    try:
        rng.choice(CHOICES)(rng.choice(NAMES))
        counts['ok'] += 1
    except OSError as e:
        if e.errno not in RACES:
            fail('unexpected %s' % e)
        counts[errno.errorcode[e.errno]] += 1
print(' '.join('%s=%d' % item for item in sorted(counts.items())), flush=True)
