"""Maps a region directly with the documented Python client, then obeys lines on stdin.

    python3 direct_holder.py EXAMPLES_DIR REGION r|rw
    -> "mapped SIZE GREF..." or "error ERRNO_NAME"
    <- "write OFFSET TEXT"   -> "ok"
    <- "read OFFSET LENGTH"  -> the bytes, as ASCII
    <- "fuse-read OFFSET LENGTH"   a pread through a fresh open of the FUSE path
    <- "fuse-write OFFSET TEXT"    a pwrite through the FUSE path
    end of input: unmap, close, exit
"""
import errno
import os
import sys

sys.path.insert(0, sys.argv[1])
from gntfs_direct import Region  # noqa: E402

path, access = sys.argv[2], sys.argv[3]
try:
    region = Region(path, write=access == 'rw')
except OSError as e:
    print('error', errno.errorcode.get(e.errno, e.errno), flush=True)
    sys.exit(0)
print('mapped', region.size, *region.grefs, flush=True)
for line in sys.stdin:
    verb, offset, rest = line.rstrip('\n').split(' ', 2)
    offset = int(offset)
    if verb == 'write':
        region.write(offset, rest.encode())
        print('ok', flush=True)
    elif verb == 'read':
        print(region.read(offset, int(rest)).decode('ascii', 'replace'), flush=True)
    elif verb == 'fuse-read':
        fd = os.open(path, os.O_RDONLY)
        print(os.pread(fd, int(rest), offset).decode('ascii', 'replace'), flush=True)
        os.close(fd)
    elif verb == 'fuse-write':
        fd = os.open(path, os.O_WRONLY)
        os.pwrite(fd, rest.encode(), offset)
        os.close(fd)
        print('ok', flush=True)
region.close()
