package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.eval.tasks.MultipleChoiceTask;
import dev.llmcw.eval.tasks.Task;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tasks as descriptors: the built-in list, and a new task added in one class and run end to end. */
class TaskRegistryTest {
    @AfterEach
    void removeToyTask() {
        TaskRegistry.unregister("yesno");
    }

    @Test
    void builtInTasksAreRegisteredInReportOrderWithTheirMetrics() {
        assertThat(TaskRegistry.names())
                .containsExactly(
                        "piqa",
                        "hellaswag",
                        "arc_easy",
                        "arc_challenge",
                        "winogrande",
                        "boolq",
                        "rte",
                        "lambada_openai",
                        "wikitext",
                        "wikitext2_ppl",
                        "c4",
                        "tinystories_ppl",
                        "cloze",
                        "text_ppl");
        assertThat(TaskRegistry.onDataFolder())
                .extracting(TaskDescriptor::name)
                .doesNotContain("text_ppl")
                .contains("cloze");
        TaskDescriptor piqa = TaskRegistry.descriptor(" PIQA ");
        assertThat(piqa.metrics())
                .containsExactly(new TaskDescriptor.Metric("acc", true), new TaskDescriptor.Metric("acc_norm", true));
        assertThat(piqa.chance()).isEqualTo(0.5);
        assertThat(TaskRegistry.descriptor("wikitext").metrics())
                .allSatisfy(m -> assertThat(m.higherIsBetter()).isFalse());
        assertThat(TaskRegistry.descriptor("lambada_openai").metrics())
                .containsExactly(
                        new TaskDescriptor.Metric("perplexity", false), new TaskDescriptor.Metric("acc", true));
        assertThat(TaskRegistry.descriptor("c4").scoring()).isEqualTo(TaskDescriptor.ScoringRule.CHUNKED_PERPLEXITY);
        // each descriptor creates the task of its name, whose acc_norm matches the declared metrics
        for (TaskDescriptor d : TaskRegistry.onDataFolder()) {
            Task t = d.create(1234, null);
            assertThat(t.name()).isEqualTo(d.name());
            if (t instanceof MultipleChoiceTask mc) {
                assertThat(d.metrics().stream().anyMatch(m -> m.name().equals("acc_norm")))
                        .as(d.name())
                        .isEqualTo(mc.reportsAccNorm());
            }
        }
        assertThat(TaskRegistry.create("cloze", 9, null).version()).endsWith("-s9");
        assertThatThrownBy(() -> TaskRegistry.create("text_ppl", 1, null))
                .hasMessage("text_ppl needs a text file (--text-file)");
        assertThatThrownBy(() -> TaskRegistry.parse("piqa,nope", 1, null))
                .hasMessageStartingWith("unknown task \"nope\"; known: piqa, hellaswag");
        assertThatThrownBy(() -> TaskRegistry.register(piqa)).hasMessageContaining("already registered");
    }

    @Test
    void aTaskAddedInOneClassRunsEndToEndThroughTheEvaluator() throws Exception {
        ScoringModel model = ScoringModels.load(TestData.stories260K(), TestData.tok512());
        TaskRegistry.register(YesNoTask.DESCRIPTOR);
        assertThat(TaskRegistry.names()).endsWith("yesno");
        List<Task> tasks = TaskRegistry.parse("yesno", 1234, null);
        ItemStore store = ItemStore.inMemory();
        TaskResult r = new Evaluator(EvalOptions.defaults(), store, null, null)
                .run(tasks.getFirst(), YesNoTask.dataDir(), model, null);
        assertThat(r.metrics().task()).isEqualTo("yesno");
        assertThat(r.metrics().items()).isEqualTo(5);
        assertThat(r.metrics().metrics()).containsOnlyKeys("acc", "acc_stderr");
        // acc is the share of items whose gold choice has the higher log-likelihood, as stored per item
        var stored = store.load(r.runKey());
        assertThat(stored).hasSize(5);
        double correct =
                stored.values().stream().filter(s -> s.chosen() == s.gold()).count();
        assertThat(r.metrics().metrics().get("acc")).isEqualTo(correct / 5);
        assertThat(stored.get("1").gold()).isZero();
        TaskRegistry.unregister("yesno");
        assertThatThrownBy(() -> TaskRegistry.create("yesno", 1, null))
                .hasMessageStartingWith("unknown task \"yesno\"");
    }
}
