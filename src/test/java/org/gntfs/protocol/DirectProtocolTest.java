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
            8000, 7, true, 2, List.of(new Segment(0, 4096, 0, 0), new Segment(4096, 4096, 1, 12288)), List.of(8, 9));

    private static String text(byte[] bytes) {
        return new String(bytes, UTF_8);
    }

    @Test
    void request_isOneLineWithTheVersion_andNamesNoPath() throws WireFormatException {
        assertThat(text(DirectProtocol.request())).isEqualTo("map v2\n");
        DirectProtocol.parseRequest("map v2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"map r /ring", "map rw /a b"})
    void parseRequest_tellsAnOldClientWhatChanged(String line) {
        assertThatThrownBy(() -> DirectProtocol.parseRequest(line))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("protocol 2").hasMessageContaining("'map r|rw PATH' is no longer served");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "map", "map v1", "map v2 ", "map v3", "give me everything", "MAP v2", " map v2"})
    void parseRequest_refusesWhatIsNotARequest(String line) {
        assertThatThrownBy(() -> DirectProtocol.parseRequest(line))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("not a request: '").hasMessageEndingWith("' (expected 'map v2')");
    }

    @Test
    void parseRequest_abbreviatesALongLine_inItsMessage() {
        assertThatThrownBy(() -> DirectProtocol.parseRequest("x".repeat(200)))
                .hasMessage("not a request: '" + "x".repeat(80) + "...' (expected 'map v2')");
    }

    @Test
    void answer_isAHeadLineThenSegmentsGrefsAndEnd_andParsesBack() throws WireFormatException {
        String head = text(DirectProtocol.answerHead(ANSWER));
        String body = text(DirectProtocol.answerBody(ANSWER));

        assertThat(head).isEqualTo("ok 8000 7 rw 2\n");
        assertThat(body).isEqualTo("segment 0 4096 0 0\nsegment 4096 4096 1 12288\ngrefs 8 9\nend\n");
        assertThat(DirectProtocol.isComplete(head)).isFalse();
        assertThat(DirectProtocol.isComplete(head + body.substring(0, body.length() - 1))).isFalse();
        assertThat(DirectProtocol.isComplete(head + body)).isTrue();
        assertThat(DirectProtocol.parseReply(head + body)).isEqualTo(ANSWER);
    }

    @Test
    void aReadOnlyAnswerWithoutGrefs_parsesBack() throws WireFormatException {
        var answer = new DirectProtocol.Answer(1, 0, false, 1, List.of(new Segment(0, 4096, 0, 4096)), List.of());
        String text = text(DirectProtocol.answerHead(answer)) + text(DirectProtocol.answerBody(answer));

        assertThat(text).isEqualTo("ok 1 0 r 1\nsegment 0 4096 0 4096\ngrefs\nend\n");
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
        "ok 1 0 rw 1\n",
        "ok 1 0 rw\nend\n",
        "ok x 0 rw 1\nend\n",
        "ok 1 0 rw 1 extra\nend\n",
        "nope 1 0 rw 1\nend\n",
        "ok 1 0 rw 1\nsegment 0 x 0 0\nend\n",
        "ok 1 0 rw 1\ngrefs 8 nine\nend\n",
    })
    void parseReply_refusesWhatIsNotAReply(String text) {
        assertThatThrownBy(() -> DirectProtocol.parseReply(text))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("not an answer of gntfs: '");
    }

    @Test
    void parseReply_skipsLinesItDoesNotKnow() throws WireFormatException {
        assertThat(DirectProtocol.parseReply("ok 4096 0 rw 1\nsegment 0 4096 0 0\ndescriptors 3\ngrefs 8\nend\n"))
                .isEqualTo(new DirectProtocol.Answer(4096, 0, true, 1, List.of(new Segment(0, 4096, 0, 0)), List.of(8)));
    }
}
