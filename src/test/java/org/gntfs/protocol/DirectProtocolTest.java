package org.gntfs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectProtocolTest {
    private static final DirectProtocol.Answer ANSWER = new DirectProtocol.Answer(
            8000, 7, true, List.of(new Segment(0, 4096, 0), new Segment(4096, 4096, 12288)), List.of(8, 9));

    private static String text(byte[] bytes) {
        return new String(bytes, UTF_8);
    }

    @Test
    void request_isOneLine_withThePathEscaped() throws WireFormatException {
        var request = new DirectProtocol.Request("/dir/a b\tc\nd\\e", true);

        String line = text(DirectProtocol.request(request));

        assertThat(line).isEqualTo("map rw /dir/a b\\011c\\012d\\134e\n");
        assertThat(DirectProtocol.parseRequest(line.substring(0, line.length() - 1))).isEqualTo(request);
        assertThat(text(DirectProtocol.request(new DirectProtocol.Request("/ring", false)))).isEqualTo("map r /ring\n");
    }

    @Test
    void parseRequest_keepsSpacesInThePath() throws WireFormatException {
        assertThat(DirectProtocol.parseRequest("map r /a b  c")).isEqualTo(new DirectProtocol.Request("/a b  c", false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "map", "map r", "map w /a", "map RW /a", "give me everything", "MAP r /a", " map r /a"})
    void parseRequest_refusesWhatIsNotARequest(String line) {
        assertThatThrownBy(() -> DirectProtocol.parseRequest(line))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("not a request: '").hasMessageEndingWith("' (expected 'map r|rw PATH')");
    }

    @Test
    void parseRequest_abbreviatesALongLine_inItsMessage() {
        assertThatThrownBy(() -> DirectProtocol.parseRequest("x".repeat(200)))
                .hasMessage("not a request: '" + "x".repeat(80) + "...' (expected 'map r|rw PATH')");
    }

    @Test
    void answer_isAHeadLineThenSegmentsGrefsAndEnd_andParsesBack() throws WireFormatException {
        String head = text(DirectProtocol.answerHead(ANSWER));
        String body = text(DirectProtocol.answerBody(ANSWER));

        assertThat(head).isEqualTo("ok 8000 7 rw\n");
        assertThat(body).isEqualTo("segment 0 4096 0\nsegment 4096 4096 12288\ngrefs 8 9\nend\n");
        assertThat(DirectProtocol.isComplete(head)).isFalse();
        assertThat(DirectProtocol.isComplete(head + body.substring(0, body.length() - 1))).isFalse();
        assertThat(DirectProtocol.isComplete(head + body)).isTrue();
        assertThat(DirectProtocol.parseReply(head + body)).isEqualTo(ANSWER);
    }

    @Test
    void aReadOnlyAnswerWithoutGrefs_parsesBack() throws WireFormatException {
        var answer = new DirectProtocol.Answer(1, 0, false, List.of(new Segment(0, 4096, 4096)), List.of());
        String text = text(DirectProtocol.answerHead(answer)) + text(DirectProtocol.answerBody(answer));

        assertThat(text).isEqualTo("ok 1 0 r\nsegment 0 4096 4096\ngrefs\nend\n");
        assertThat(DirectProtocol.parseReply(text)).isEqualTo(answer);
    }

    @Test
    void refusal_isOneLine_evenWhenItsMessageIsNot_andParsesBack() throws WireFormatException {
        String line = text(DirectProtocol.refusal(new DirectProtocol.Refusal(13, "uid 5 may not\nread /a")));

        assertThat(line).isEqualTo("error 13 uid 5 may not read /a\n");
        assertThat(DirectProtocol.isComplete(line)).isTrue();
        assertThat(DirectProtocol.isComplete("error 13 uid")).isFalse();
        assertThat(DirectProtocol.parseReply(line)).isEqualTo(new DirectProtocol.Refusal(13, "uid 5 may not read /a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "\n",
        "error 13\n",
        "error EACCES no\n",
        "error 12345 too many digits\n",
        "ok 1 0 rw\n",
        "ok 1 0\nend\n",
        "ok x 0 rw\nend\n",
        "ok 1 0 rw extra\nend\n",
        "nope 1 0 rw\nend\n",
        "ok 1 0 rw\nsegment 0 x 0\nend\n",
        "ok 1 0 rw\ngrefs 8 nine\nend\n",
    })
    void parseReply_refusesWhatIsNotAReply(String text) {
        assertThatThrownBy(() -> DirectProtocol.parseReply(text))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("not an answer of gntfs: '");
    }

    @Test
    void parseReply_skipsLinesItDoesNotKnow() throws WireFormatException {
        assertThat(DirectProtocol.parseReply("ok 4096 0 rw\nsegment 0 4096 0\nhint later\ngrefs 8\nend\n"))
                .isEqualTo(new DirectProtocol.Answer(4096, 0, true, List.of(new Segment(0, 4096, 0)), List.of(8)));
    }
}
