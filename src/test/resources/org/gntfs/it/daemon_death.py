# Run by DaemonTroubleIT: holds a file of the mount open and mapped, prints "ready", and once told
# (a line on stdin, sent after the daemon is SIGKILLed) prints what each kind of call gives then.
# Calls that may raise SIGBUS run in a child; pages the child needs from the daemon are those not
# in the page cache, as a fork shares the cache but not the parent's page tables.
import errno, mmap, os, signal, sys
d = sys.argv[1]
PAGE = 4096
p = os.path.join(d, 'f')
with open(p, 'wb') as f:
    f.write(b'a' * (1024 * PAGE))
fd = os.open(p, os.O_RDWR)
fd2 = os.open(p, os.O_RDONLY)               # every open drops the cached pages: opened first
os.pread(fd, PAGE, 0)                      # page 0 cached, with what readahead brings
m = mmap.mmap(fd, 1024 * PAGE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[PAGE * 1]                                 # page 1 touched through the mapping, here
print('ready', flush=True)
sys.stdin.readline()                        # the daemon is killed now

def outcome(call):
    pid = os.fork()
    if pid == 0:
        try:
            call()
            os._exit(0)
        except OSError as e:
            os._exit(100 + e.errno)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return signal.Signals(os.WTERMSIG(status)).name
    code = os.WEXITSTATUS(status)
    return 'ok' if code == 0 else errno.errorcode[code - 100]

def touch(page):
    m[page * PAGE]

def store(page):
    m[page * PAGE] = 0x62

print('read-cached', outcome(lambda: os.pread(fd, PAGE, 0)))
print('read-uncached', outcome(lambda: os.pread(fd, PAGE, 512 * PAGE)))
print('mmap-untouched', outcome(lambda: touch(700)))
print('mmap-store-touched', outcome(lambda: store(1)))
print('msync', outcome(lambda: (store(1), m.flush())))
print('stat', outcome(lambda: os.stat(p)))
print('open', outcome(lambda: os.close(os.open(p, os.O_RDONLY))))
print('close', outcome(lambda: os.close(fd2)))
print('mmap-touched-here', 'ok' if m[PAGE * 1] == 0x62 else 'bad', flush=True)
try:
    os.close(fd)
    print('close-mapped ok', flush=True)
except OSError as e:
    print('close-mapped', errno.errorcode[e.errno], flush=True)
