package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LmEvalRequestsTest {
    private final FakeTokenizer tok = new FakeTokenizer(1000, true);

    @Test
    void continuationIsTheWholeEncodingMinusTheContextTokens() {
        var enc = new LmEvalRequests(tok, false).encode("Question: why\nAnswer:", " because");
        assertThat(enc.context()).containsExactly(tok.encode("Question: why\nAnswer:"));
        assertThat(enc.continuation()).containsExactly(tok.encode(" because"));
    }

    @Test
    void trailingSpacesMoveFromContextToContinuation() {
        // Without the move, enc("Answer: ") would end in a lone " " token and "yes" would be scored without its space.
        var moved = new LmEvalRequests(tok, false).encode("Answer: ", "yes");
        assertThat(moved.context()).containsExactly(tok.encode("Answer:"));
        assertThat(moved.continuation()).containsExactly(tok.encode(" yes"));
    }

    @Test
    void bosSwitch() {
        var off = new LmEvalRequests(tok, false).encode("A b", " c");
        var on = new LmEvalRequests(tok, true).encode("A b", " c");
        assertThat(on.context()[0]).isEqualTo(1);
        assertThat(Arrays.copyOfRange(on.context(), 1, on.context().length)).containsExactly(off.context());
        assertThat(on.continuation()).containsExactly(off.continuation());
        // a tokenizer without BOS never gets one
        var noBos = new FakeTokenizer(1000, true) {
            @Override
            public int bosId() {
                return -1;
            }
        };
        assertThat(new LmEvalRequests(noBos, true).prependsBos()).isFalse();
        // empty context: the prefix token (BOS, else EOS)
        var empty = new LmEvalRequests(tok, false).encode("", "Once upon");
        assertThat(empty.context()).containsExactly(1);
        assertThat(LmEvalRequests.prefixToken(noBos)).isEqualTo(2);
    }

    @Test
    void leftTruncationKeepsTheLastMaxLengthPlusOneTokens() {
        int[] ctx = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThat(LmEvalRequests.truncateContext(ctx, 3, 6)).containsExactly(5, 6, 7, 8);
        assertThat(LmEvalRequests.truncateContext(ctx, 3, 20)).containsExactly(ctx);
        assertThatThrownBy(() -> LmEvalRequests.truncateContext(ctx, 7, 6))
                .hasMessageContaining("exceeds the max length");
    }

    @Test
    void rollingWindowsMatchTheHarness() {
        int[] toks = new int[11];
        for (int i = 0; i < toks.length; i++) toks[i] = 100 + i;
        // Hand-traced from lm_eval.utils.get_rolling_token_windows(max_seq_len=4, context_len=1) + make_disjoint_window
        List<LmEvalRequests.Encoded> w = LmEvalRequests.rollingWindows(toks, 1, 4);
        assertThat(w).hasSize(3);
        assertThat(w.get(0).context()).containsExactly(1);
        assertThat(w.get(0).continuation()).containsExactly(100, 101, 102, 103);
        assertThat(w.get(1).context()).containsExactly(103);
        assertThat(w.get(1).continuation()).containsExactly(104, 105, 106, 107);
        // last window predicts 3 tokens and keeps more context: a = toks[6:10], a[:4-(3-1)] = toks[6:8]
        assertThat(w.get(2).context()).containsExactly(106, 107);
        assertThat(w.get(2).continuation()).containsExactly(108, 109, 110);
        assertThat(LmEvalRequests.rollingWindows(new int[0], 1, 4)).isEmpty();
    }

    @Test
    void rollingWindowsPredictEveryTokenOnceWithinMaxLength() {
        for (int n = 1; n < 60; n++) {
            int[] toks = new int[n];
            for (int i = 0; i < n; i++) toks[i] = 10 + i;
            for (int L : new int[] {1, 2, 5, 16}) {
                List<Integer> predicted = new ArrayList<>();
                for (var win : LmEvalRequests.rollingWindows(toks, 1, L)) {
                    assertThat(win.context().length + win.continuation().length).isLessThanOrEqualTo(L + 1);
                    assertThat(win.context().length).isGreaterThanOrEqualTo(1);
                    for (int t : win.continuation()) predicted.add(t);
                    if (predicted.size() > win.continuation().length) {
                        // context is the tokens right before the continuation
                        int first = win.continuation()[0] - 10;
                        assertThat(win.context()[win.context().length - 1]).isEqualTo(toks[first - 1]);
                    }
                }
                assertThat(predicted)
                        .containsExactlyElementsOf(Arrays.stream(toks).boxed().toList());
            }
        }
    }
}
