package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.stream.IntStream;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.Test;

/** A virtual file's text is rendered only as far as it is read, and reads back whole in any chunks. */
class OpenTextTest {
    private int rendered;

    private Iterator<String> thousandLines() {
        return IntStream.range(0, 1000).mapToObj(i -> {
            rendered++;
            return "line " + i + "\n";
        }).iterator();
    }

    @Test
    void aRead_rendersOnlyTheLinesUpToItsEnd() {
        OpenText text = new OpenText(thousandLines());

        assertThat(new String(text.read(0, 16), UTF_8)).isEqualTo("line 0\nline 1\nli");
        assertThat(rendered).isEqualTo(3);
        assertThat(new String(text.read(7, 7), UTF_8)).as("again, from what was kept").isEqualTo("line 1\n");
        assertThat(rendered).isEqualTo(3);
    }

    @Test
    void chunkedReads_giveTheWholeText_thenNothing() {
        OpenText text = new OpenText(thousandLines());
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (byte[] chunk = text.read(0, 100); chunk.length > 0; chunk = text.read(whole.size(), 100)) {
            whole.writeBytes(chunk);
        }
        StringBuilder expected = new StringBuilder();
        IntStream.range(0, 1000).forEach(i -> expected.append("line ").append(i).append('\n'));

        assertThat(whole.toString(UTF_8)).isEqualTo(expected.toString());
        assertThat(text.read(whole.size() + 10, 100)).isEmpty();
    }

    @Test
    void aReadToNativeMemory_spansTheKeptChunks_andStopsAtTheEnd() {
        StringBuilder expected = new StringBuilder();
        IntStream.range(0, 20_000).forEach(i -> expected.append("region ").append(i).append('\n'));
        OpenText text = new OpenText(IntStream.range(0, 20_000).mapToObj(i -> "region " + i + "\n").iterator());
        int length = expected.length();
        long address = Posix.MEMORY.allocateMemory(length + 10, true);
        try {
            int first = text.read(0, address, 70_000);
            int rest = text.read(first, address + first, length);
            byte[] copied = new byte[first + rest];
            Posix.MEMORY.getByteArray(address, copied, 0, copied.length);

            assertThat(first).isEqualTo(70_000);
            assertThat(new String(copied, UTF_8)).isEqualTo(expected.toString());
            assertThat(text.read(length, address, 100)).isZero();
        } finally {
            Posix.MEMORY.freeMemory(address);
        }
    }
}
