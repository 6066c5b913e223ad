package org.gntfs.nativeio;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.ssize_t;

/**
 * Runs a helper that sends back a descriptor over a socket, as fusermount3 does: the socket is
 * the child's fd 3, named by {@code _FUSE_COMMFD=3}. The JDK cannot start it: ProcessBuilder
 * closes every inherited descriptor above stderr in the child. So it is spawned with
 * posix_spawnp and a dup2 file action, and the descriptor received with recvmsg (SCM_RIGHTS).
 * The structures are those of 64-bit glibc.
 */
public final class SpawnedHelper {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int CHILD_FD = 3;
    /** sizeof(posix_spawn_file_actions_t) is 80; a little more does no harm. */
    private static final int FILE_ACTIONS_SIZE = 128;
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSG_SPACE_ONE_FD = 24;

    /** Public because jnr-ffi implements it from another class loader. */
    public interface Calls {
        @SaveError
        int socketpair(int domain, int type, int protocol, int[] fds);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawnp(int[] pid, String file, Pointer actions, Pointer attributes, String[] argv, String[] envp);

        @SaveError
        int waitpid(int pid, int[] status, int options);

        @SaveError
        @ssize_t
        long recvmsg(int fd, Pointer message, int flags);
    }

    private static final Calls CALLS = LibraryLoader.create(Calls.class).failImmediately().load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(CALLS);

    private SpawnedHelper() {}

    /**
     * Runs {@code command} with one end of a socket pair as its fd 3, receives the descriptor it
     * sends, waits for it to exit, and returns the descriptor (closed on exec).
     *
     * @throws IOException if it cannot start, exits with a failure, or sends nothing
     */
    public static int receiveDescriptor(List<String> command) throws IOException {
        int[] pair = new int[2];
        Posix.check("socketpair", CALLS.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair));
        try {
            int pid = spawn(command, pair[1]);
            Posix.closeQuietly(pair[1]);
            pair[1] = -1;
            int received = receive(pair[0]);
            int[] status = new int[1];
            Posix.check("waitpid", CALLS.waitpid(pid, status, 0));
            if (status[0] != 0) {
                if (received >= 0) {
                    Posix.closeQuietly(received);
                }
                throw new IOException(String.join(" ", command) + " failed (wait status " + status[0] + ")");
            }
            if (received < 0) {
                throw new IOException(String.join(" ", command) + " sent no descriptor");
            }
            return received;
        } finally {
            Posix.closeQuietly(pair[0]);
            if (pair[1] >= 0) {
                Posix.closeQuietly(pair[1]);
            }
        }
    }

    private static int spawn(List<String> command, int childEnd) throws IOException {
        Pointer actions = Posix.allocate(FILE_ACTIONS_SIZE);
        CALLS.posix_spawn_file_actions_init(actions);
        try {
            CALLS.posix_spawn_file_actions_adddup2(actions, childEnd, CHILD_FD);
            List<String> environment = new ArrayList<>();
            for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
                environment.add(variable.getKey() + "=" + variable.getValue());
            }
            environment.add("_FUSE_COMMFD=" + CHILD_FD);
            int[] pid = new int[1];
            int error = CALLS.posix_spawnp(pid, command.get(0), actions, null,
                    command.toArray(String[]::new), environment.toArray(String[]::new));
            if (error != 0) {
                throw new NativeError("posix_spawnp " + command.get(0), error);
            }
            return pid[0];
        } finally {
            CALLS.posix_spawn_file_actions_destroy(actions);
        }
    }

    /** One byte and, with luck, one descriptor; -1 if none came. */
    private static int receive(int fd) throws NativeError {
        Pointer message = Posix.allocate(MSGHDR_SIZE);
        Pointer iov = Posix.allocate(16);
        Pointer data = Posix.allocate(1);
        Pointer control = Posix.allocate(CMSG_SPACE_ONE_FD);
        iov.putAddress(0, data.address());
        iov.putLong(8, 1);
        message.putAddress(16, iov.address());
        message.putLong(24, 1);
        message.putAddress(32, control.address());
        message.putLong(40, CMSG_SPACE_ONE_FD);
        long count;
        do {
            count = CALLS.recvmsg(fd, message, MSG_CMSG_CLOEXEC);
        } while (count < 0 && RUNTIME.getLastError() == 4);
        if (count < 0) {
            throw new NativeError("recvmsg", RUNTIME.getLastError());
        }
        boolean hasRights = message.getLong(40) >= 20 && control.getInt(8) == SOL_SOCKET && control.getInt(12) == SCM_RIGHTS;
        return count > 0 && hasRights ? control.getInt(16) : -1;
    }
}
