"""Map a gntfs region's granted pages directly, without the page cache (docs/direct-mapping.md).

    from gntfs_direct import Region
    with Region('/run/gnt/ring') as ring:
        ring.write(0, b'hello')        # seen by the peer at once
        print(ring.grefs, ring.read(0, 5))

Needs Python 3.9 or later (socket.send_fds, recv_fds). The region is opened here, O_RDONLY or
O_RDWR, as any file is, and that descriptor is the request: the kernel's open decides. On a Xen
mount this process's own O_RDWR open of /dev/xen/gntalloc goes with it. A read-write mapping
holds the region while the Region is open; a read-only one holds nothing (released pages read
as zeros).
"""
import mmap
import os
import socket

__all__ = ['Region', 'socket_of']


def socket_of(path):
    """The direct-mapping socket of the gntfs mount holding path: its root's user.gnt.socket."""
    directory = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    while True:
        if os.path.ismount(directory):
            try:
                return directory, os.fsdecode(os.getxattr(directory, 'user.gnt.socket'))
            except OSError:
                pass
        if directory == '/':
            raise OSError(f'{path} is not on a gntfs mount that offers direct mapping')
        directory = os.path.dirname(directory)


def _is_complete(answer):
    return answer.endswith(b'\nend\n') or (answer.startswith(b'error ') and answer.endswith(b'\n'))


class Region:
    """A region's pages, mapped from the descriptor the daemon sends, one mmap per segment."""

    def __init__(self, path, write=True):
        root, socket_path = socket_of(os.path.realpath(path))
        sent = [os.open(path, (os.O_RDWR if write else os.O_RDONLY) | os.O_CLOEXEC)]
        self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        fds = []
        try:
            if os.getxattr(root, 'user.gnt.backend') == b'xen':
                sent.append(os.open('/dev/xen/gntalloc', os.O_RDWR | os.O_CLOEXEC))
            self._connection.connect(socket_path)
            socket.send_fds(self._connection, [b'map v2\n'], sent)
            answer = b''
            while not _is_complete(answer):
                more, more_fds, _, _ = socket.recv_fds(self._connection, 65536, 253)
                fds += more_fds
                if not more:
                    raise ConnectionError('the gntfs daemon closed the connection before it answered')
                answer += more
            self._parse(answer, path)
            if len(fds) != self.descriptors:
                raise ConnectionError(f'the answer carried {len(fds)} descriptors, not {self.descriptors}')
            protection = mmap.PROT_READ | (mmap.PROT_WRITE if write else 0)
            self.maps = [(start, mmap.mmap(fds[which], length, mmap.MAP_SHARED, protection, offset=at))
                         for start, length, which, at in self.segments]
        except BaseException:
            self._connection.close()
            raise
        finally:
            for fd in sent + fds:
                os.close(fd)

    def _parse(self, answer, path):
        lines = answer.decode().splitlines()
        if lines[0].startswith('error '):
            _, errno, message = lines[0].split(' ', 2)
            raise OSError(int(errno), message, path)
        _, size, domid, access, descriptors = lines[0].split()
        self.size, self.domid, self.writable = int(size), int(domid), access == 'rw'
        self.descriptors = int(descriptors)
        self.segments = [tuple(int(word) for word in line.split()[1:]) for line in lines if line.startswith('segment ')]
        self.grefs = [int(word) for line in lines if line.startswith('grefs') for word in line.split()[1:]]

    def _pieces(self, offset, length):
        for start, mapping in self.maps:
            low, high = max(offset, start), min(offset + length, start + len(mapping))
            if low < high:
                yield mapping, low - start, high - low, low - offset

    def read(self, offset, length):
        out = bytearray(length)
        for mapping, at, count, to in self._pieces(offset, length):
            out[to:to + count] = mapping[at:at + count]
        return bytes(out)

    def write(self, offset, data):
        for mapping, at, count, source in self._pieces(offset, len(data)):
            mapping[at:at + count] = data[source:source + count]

    def close(self):
        for _, mapping in self.maps:
            mapping.close()
        self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()
