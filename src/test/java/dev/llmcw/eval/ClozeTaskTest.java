package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.tasks.ClozeTask;
import dev.llmcw.eval.tasks.McItem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClozeTaskTest {
    private static List<String> corpus() {
        List<String> docs = new ArrayList<>();
        String[] names = {"Tom", "Sue", "Ben", "Lily", "Max", "Anna", "Sam", "Mia", "Leo", "Zoe"};
        for (int d = 0; d < 40; d++) {
            String n = names[d % names.length];
            docs.add(n + " had a red ball number " + d + ". " + n + " liked to play in the park. One day, " + n
                    + " said, \"Let's go!\" " + "The sun was warm and bright " + d
                    + ". They played until it got dark. Then " + n + " went home.");
        }
        docs.add("Too short. Only two.");
        return docs;
    }

    @Test
    void sentenceSplitting() {
        assertThat(ClozeTask.sentences("Tom ran. He said, \"Hi!\" Then he left? Yes. e.g. no split. mid. sentence"))
                .containsExactly("Tom ran.", "He said, \"Hi!\"", "Then he left?", "Yes. e.g. no split. mid. sentence");
    }

    @Test
    void construction() {
        ClozeTask t = new ClozeTask("cloze", null, 3, 4, 7);
        List<McItem> items = t.build(corpus());
        assertThat(items).hasSize(40); // the two-sentence document is skipped
        List<String> docs = corpus();
        int goldCounts[] = new int[4];
        for (McItem it : items) {
            int d = Integer.parseInt(it.id().substring(3));
            List<String> s = ClozeTask.sentences(docs.get(d));
            assertThat(it.requests().getFirst().context()).isEqualTo(String.join(" ", s.subList(0, 3)));
            assertThat(it.choiceTexts().get(it.gold())).isEqualTo(s.get(3));
            assertThat(it.choiceTexts()).doesNotHaveDuplicates().hasSize(4);
            for (int c = 0; c < 4; c++) {
                if (c == it.gold()) continue;
                String distractor = it.choiceTexts().get(c);
                assertThat(s).doesNotContain(distractor);
                assertThat(distractor.length()).isBetween((int) (s.get(3).length() * 0.75), (int)
                        Math.ceil(s.get(3).length() * 1.25));
            }
            goldCounts[it.gold()]++;
        }
        for (int c : goldCounts) assertThat(c).isGreaterThan(2);
        // deterministic for a seed, different for another
        assertThat(new ClozeTask("cloze", null, 3, 4, 7).build(corpus())).isEqualTo(items);
        assertThat(new ClozeTask("cloze", null, 3, 4, 8).build(corpus())).isNotEqualTo(items);
        assertThat(t.details()).containsEntry("chance", "0.25");
        assertThat(t.version()).isEqualTo("1.0-k3-n4-s7");
    }
}
