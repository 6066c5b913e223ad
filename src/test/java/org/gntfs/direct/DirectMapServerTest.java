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
import org.gntfs.nativeio.Posix;
import org.gntfs.nativeio.UnixSocket;
import org.gntfs.protocol.DirectProtocol;
import org.gntfs.protocol.Segment;
import org.gntfs.region.Region;
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
    private Region ring;
    private DirectMapServer server;
    private final List<UnixSocket> clients = new ArrayList<>();

    @BeforeEach
    void serve() throws IOException {
        // Reachable by uid 65534, for the per-user limit.
        directory = Files.createTempDirectory("gntfs-direct-test-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        table = SimulatedGrantTable.create(directory, 8);
        tree = new RegionTree(table, InstantSource.system(), 5, 0, 0, ImmutableMap.of("backend", "sim"), Limits.DEFAULTS);
        ring = tree.create("/ring", 0644, 0, 0);
        ring.resize(2 * 4096 - 100, tree.now());
        server = DirectMapServer.bind(directory.resolve("direct.sock"), new ConnectionLimits(3, 1));
        server.serve(tree);
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

    /** Everything the server sends until its reply is whole; a descriptor that comes along is closed. */
    private static String reply(UnixSocket client) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        while (!DirectProtocol.isComplete(text.toString(UTF_8))) {
            UnixSocket.Received received = client.receiveWithDescriptor(4096);
            if (received.descriptor() >= 0) {
                Posix.close(received.descriptor());
            }
            if (received.data().length == 0) {
                break;
            }
            text.write(received.data());
        }
        return text.toString(UTF_8);
    }

    private UnixSocket mapped(String path) throws IOException {
        UnixSocket client = connect();
        client.send(DirectProtocol.request(new DirectProtocol.Request(path, false)), -1);
        assertThat(reply(client)).startsWith("ok ");
        return client;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("still not: " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aRequest_isAnsweredWithTheRegionsPagesAndADescriptor_andHoldsTheRegionUntilTheConnectionEnds()
            throws Exception {
        UnixSocket client = connect();
        client.send(DirectProtocol.request(new DirectProtocol.Request("/ring", true)), -1);
        UnixSocket.Received head = client.receiveWithDescriptor(4096);
        String text = new String(head.data(), UTF_8) + reply(client);
        Posix.close(head.descriptor());

        assertThat(head.descriptor()).isNotNegative();
        assertThat(DirectProtocol.parseReply(text)).isEqualTo(new DirectProtocol.Answer(
                8092, 5, true, List.of(new Segment(0, 8192, 0)), ring.grefs().asList()));
        assertThat(ring.loanCount()).isEqualTo(1);

        client.close();
        await(() -> ring.loanCount() == 0, "the loan ended");
    }

    @Test
    void whatIsNoRequest_orNoRegion_isRefusedWithTheErrnoOfAnOpen() throws Exception {
        UnixSocket malformed = connect();
        malformed.send("give me everything\n".getBytes(UTF_8), -1);
        UnixSocket missing = connect();
        missing.send(DirectProtocol.request(new DirectProtocol.Request("/missing", false)), -1);

        assertThat(DirectProtocol.parseReply(reply(malformed))).isEqualTo(new DirectProtocol.Refusal(
                22, "not a request: 'give me everything' (expected 'map r|rw PATH')"));
        assertThat(DirectProtocol.parseReply(reply(missing))).isInstanceOfSatisfying(
                DirectProtocol.Refusal.class, refusal -> assertThat(refusal.errno()).isEqualTo(2));
    }

    @Test
    void pastTheLimits_aConnectionIsRefusedWithEagain_rootNotCountedAgainstAUser() throws Exception {
        // uid 65534 maps once, is refused a second connection while it holds the first, then holds until told.
        Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", "-c", String.join("\n",
                        "import socket, sys",
                        "a = socket.socket(socket.AF_UNIX)",
                        "a.connect(sys.argv[1])",
                        "a.sendall(b'map r /ring\\n')",
                        "reply = b''",
                        "while not reply.endswith(b'end\\n'):",
                        "    reply += a.recv(4096)",
                        "b = socket.socket(socket.AF_UNIX)",
                        "b.connect(sys.argv[1])",
                        "print(reply.split()[0].decode(), '|', b.recv(4096).decode().strip(), flush=True)",
                        "sys.stdin.read()"),
                server.path().toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(nobody.getInputStream(), UTF_8))) {
            assertThat(out.readLine()).isEqualTo(
                    "ok | error " + EAGAIN + " uid 65534 has 1 direct-mapping connections open, the most one user may");

            mapped("/ring");
            mapped("/ring");
            UnixSocket refused = connect();
            assertThat(reply(refused)).isEqualTo(
                    "error " + EAGAIN + " 3 direct-mapping connections are open, the most this daemon serves\n");
            assertThat(refused.receive(16)).isEmpty();
            assertThat(ring.loanCount()).isEqualTo(3);

            nobody.getOutputStream().close();
            assertThat(nobody.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            nobody.destroyForcibly();
        }
        await(() -> ring.loanCount() == 2, "uid 65534's mapping ended");
        mapped("/ring");
    }
}
