package org.gntfs.direct;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogBudgetTest {
    @Test
    void eachKind_getsItsLinesAMinute_thenOneSummary() {
        AtomicLong now = new AtomicLong();
        LogBudget budget = new LogBudget(LoggerFactory.getLogger(LogBudgetTest.class), 2, now::get);
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, UTF_8));
        try {
            for (int i = 0; i < 1000; i++) {
                budget.warn("connection failed: {}", i);
                budget.warn("cannot take one: {}", i);
            }
            now.addAndGet(LogBudget.WINDOW.toNanos());
            budget.warn("connection failed: {}", "later");
        } finally {
            System.setErr(original);
        }

        assertThat(captured.toString(UTF_8).lines().map(line -> line.replaceFirst("^.* - ", "")).toList()).containsExactly(
                "connection failed: 0", "cannot take one: 0", "connection failed: 1", "cannot take one: 1",
                "998 more like this in the last minute: connection failed: {}", "connection failed: later");
    }
}
