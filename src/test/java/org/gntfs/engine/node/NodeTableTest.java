package org.gntfs.engine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;

class NodeTableTest {
    private final Object root = new Object();
    private final NodeTable<Object> table = new NodeTable<>(root);

    @Test
    void eachReplyAddsALookup_andForgetTakesThemAway() {
        Object file = new Object();
        table.remember(7, file);
        table.remember(7, file);
        table.remember(7, file);
        assertThat(table.lookups(7)).isEqualTo(3);
        table.forget(7, 2);
        assertThat(table.get(7)).isSameAs(file);
        table.forget(7, 1);
        assertThat(table.get(7)).isNull();
        assertThat(table.lookups(7)).isZero();
    }

    @Test
    void theRoot_isKnownFromTheStart_andNeverForgotten() {
        assertThat(table.get(NodeTable.ROOT_ID)).isSameAs(root);
        table.forget(NodeTable.ROOT_ID, 100);
        table.clear();
        assertThat(table.get(NodeTable.ROOT_ID)).isSameAs(root);
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void anIdKnownAsAnotherObject_isRefused() {
        table.remember(9, new Object());
        assertThatThrownBy(() -> table.remember(9, new Object())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> table.remember(0, new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forgettingAnUnknownId_changesNothing() {
        table.forget(42, 1);
        assertThat(table.size()).isEqualTo(1);
    }

    /**
     * The kernel forgets only what it was handed, but a FORGET of the last lookup can race the
     * next LOOKUP's reply: every id a reply has just handed out must still resolve, and once every
     * lookup is forgotten the id is gone.
     */
    @Test
    void lookupsRacingForgets_neverLoseANodeJustHandedOut() throws Exception {
        Object file = new Object();
        int rounds = 50_000;
        BlockingQueue<Integer> handedOut = new ArrayBlockingQueue<>(16);
        Thread kernel = new Thread(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    handedOut.take();
                    table.forget(5, 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        kernel.start();
        int lost = 0;
        for (int i = 0; i < rounds; i++) {
            table.remember(5, file);
            if (table.get(5) != file) {
                lost++;
            }
            handedOut.put(i);
        }
        kernel.join();
        assertThat(lost).isZero();
        assertThat(table.get(5)).isNull();
        assertThat(table.size()).isEqualTo(1);
    }
}
