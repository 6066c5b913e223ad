package org.gntfs.direct;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.gntfs.Limits;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.nativeio.OpenFileInfo;
import org.gntfs.nativeio.Posix;
import org.gntfs.nativeio.UnixSocket;
import org.gntfs.protocol.DirectProtocol;
import org.gntfs.region.RegionTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socket server over a region tree, in process and without FUSE: real connections, real descriptors. */
class DirectMapServerTest {
    private static final String EAGAIN = "11";

    private Path directory;
    private SimulatedGrantTable table;
    private RegionTree tree;
    private DirectMapServer server;
    private final List<UnixSocket> clients = new ArrayList<>();

    @BeforeEach
    void serve() throws IOException {
        // Reachable by uid 65534, for the per-user limit.
        directory = Files.createTempDirectory("gntfs-direct-test-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        table = SimulatedGrantTable.create(directory, 8);
        tree = new RegionTree(table, InstantSource.system(), 5, 0, 0, ImmutableMap.of("backend", "sim"), Limits.DEFAULTS);
        server = DirectMapServer.bind(directory.resolve("direct.sock"), new ConnectionLimits(3, 1));
        // The directory's mount stands for the gntfs mount: its files are "on the mount", but no region's inode.
        server.serve(tree, OpenFileInfo.mountIdOf(directory));
    }

    @AfterEach
    void stop() throws IOException {
        for (UnixSocket client : clients) {
            client.close();
        }
        server.close();
        tree.releaseAll();
        table.close();
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    private UnixSocket connect() throws IOException {
        UnixSocket client = UnixSocket.connect(server.path());
        clients.add(client);
        return client;
    }

    /** Everything the server sends until its reply is whole; descriptors that come along are closed. */
    private static String reply(UnixSocket client) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        while (!DirectProtocol.isComplete(text.toString(UTF_8))) {
            UnixSocket.Received received = client.receiveWithDescriptors(4096, 1);
            for (int descriptor : received.descriptors()) {
                Posix.close(descriptor);
            }
            if (received.data().length == 0) {
                break;
            }
            text.write(received.data());
        }
        return text.toString(UTF_8);
    }

    private DirectProtocol.Refusal refusalOf(byte[] line, int... descriptors) throws IOException {
        UnixSocket client = connect();
        client.send(line, descriptors);
        DirectProtocol.Reply reply = DirectProtocol.parseReply(reply(client));
        assertThat(reply).isInstanceOf(DirectProtocol.Refusal.class);
        return (DirectProtocol.Refusal) reply;
    }

    private static long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("still not: " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void whatIsNoRequest_isRefusedWithEinval_andAnOldClientIsToldWhatChanged() throws Exception {
        assertThat(refusalOf("give me everything\n".getBytes(UTF_8))).isEqualTo(new DirectProtocol.Refusal(
                22, "not a request: 'give me everything' (expected 'map v2')"));
        assertThat(refusalOf("map r /ring\n".getBytes(UTF_8)).message())
                .contains("protocol 2").contains("open the region and send its descriptor");
    }

    @Test
    void aRequestWithoutADescriptorOfTheMountsRegions_isRefused_andTheDescriptorsAreClosed() throws Exception {
        Path file = Files.writeString(directory.resolve("not-a-region"), "x");
        int other = Posix.open(file, Posix.O_RDONLY, 0);
        int path = Posix.open(file, Posix.O_PATH, 0);
        int elsewhere = Posix.memfdOfFixedSize("elsewhere", 4096);
        long before = openDescriptors();
        try {
            assertThat(refusalOf(DirectProtocol.request()).errno()).as("no descriptor").isEqualTo(9);
            assertThat(refusalOf(DirectProtocol.request(), elsewhere).errno()).as("another device").isEqualTo(9);
            assertThat(refusalOf(DirectProtocol.request(), path).errno()).as("O_PATH").isEqualTo(9);
            assertThat(refusalOf(DirectProtocol.request(), other).errno()).as("no region's inode").isEqualTo(22);
            assertThat(refusalOf(DirectProtocol.request(), other, other).errno()).as("two").isEqualTo(9);
            assertThat(refusalOf(DirectProtocol.request(), other, other, other).errno()).as("three").isEqualTo(9);
            assertThat(refusalOf("map r /ring\n".getBytes(UTF_8), other).errno()).as("old form").isEqualTo(22);
            for (UnixSocket client : clients) {
                client.close();
            }
            clients.clear();
            // Each received copy was closed by the server: the process holds what it held before.
            await(() -> {
                try {
                    return openDescriptors() == before;
                } catch (IOException e) {
                    return false;
                }
            }, "the server closed every descriptor it received");
        } finally {
            Posix.close(other);
            Posix.close(path);
            Posix.close(elsewhere);
        }
    }

    @Test
    void pastTheLimits_aConnectionIsRefusedWithEagain_rootNotCountedAgainstAUser() throws Exception {
        // uid 65534 connects once, is refused a second connection while the first waits, then holds until told.
        Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", "-c", String.join("\n",
                        "import socket, sys",
                        "a = socket.socket(socket.AF_UNIX)",
                        "a.connect(sys.argv[1])",
                        "b = socket.socket(socket.AF_UNIX)",
                        "b.connect(sys.argv[1])",
                        "print(b.recv(4096).decode().strip(), flush=True)",
                        "sys.stdin.read()"),
                server.path().toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(nobody.getInputStream(), UTF_8))) {
            assertThat(out.readLine()).isEqualTo(
                    "error " + EAGAIN + " uid 65534 has 1 direct-mapping connections open, the most one user may");

            connect();
            connect();
            UnixSocket refused = connect();
            assertThat(reply(refused)).isEqualTo(
                    "error " + EAGAIN + " 3 direct-mapping connections are open, the most this daemon serves\n");
            assertThat(refused.receive(16)).isEmpty();

            nobody.getOutputStream().close();
            assertThat(nobody.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            nobody.destroyForcibly();
        }
        await(() -> {
            try (UnixSocket again = UnixSocket.connect(server.path())) {
                again.send(DirectProtocol.request());
                return !reply(again).startsWith("error " + EAGAIN);
            } catch (IOException e) {
                return false;
            }
        }, "uid 65534's connection ended");
    }
}
