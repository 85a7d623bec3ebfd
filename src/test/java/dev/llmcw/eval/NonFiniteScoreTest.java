package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model whose weights hold a NaN must stop the evaluation, never give "perplexity NaN" or chance accuracy. */
class NonFiniteScoreTest {
    /** stories260K with one NaN in the final norm's weights: every logit is NaN. */
    static ScoringModel nanModel() {
        Model m = ModelLoader.load(TestData.stories260K(), TestData.tok512());
        Tensor norm = m.tensor(WeightNames.FINAL_NORM);
        float[] w = new float[(int) norm.numel()];
        for (int i = 0; i < w.length; i++) w[i] = norm.get(i);
        w[0] = Float.NaN;
        var tensors = new HashMap<>(m.tensors());
        tensors.put(WeightNames.FINAL_NORM, F32Tensor.of(w, norm.shape()));
        Model bad = new Model(
                m.config(),
                tensors,
                m.linears(),
                m.tokenizer(),
                m.source(),
                m.format(),
                m.label() + " (NaN)",
                m.metadata());
        return ScoringModels.of(bad, "nan-model");
    }

    @Test
    void aNanInTheWeightsAbortsMultipleChoiceAndPerplexityBeforeAnythingIsStored(@TempDir Path dir) throws Exception {
        ScoringModel model = nanModel();
        Path data = YesNoTask.dataDir();
        List<String> saved = new ArrayList<>();
        ItemStore store = new ItemStore() {
            @Override
            public Map<String, StoredItem> load(String runKey) {
                return Map.of();
            }

            @Override
            public void save(String runKey, StoredItem item) {
                saved.add(runKey + " " + item.itemId());
            }
        };
        Evaluator ev = new Evaluator(EvalOptions.defaults(), store, null, null);
        Task yesno = YesNoTask.DESCRIPTOR.create(1, null);
        assertThatThrownBy(() -> ev.run(yesno, data, model, null))
                .isInstanceOf(NonFiniteScoreException.class)
                .hasMessage(
                        "yesno: item 0 scored a non-finite log-likelihood (NaN) on model " + model.label()
                                + ", so the evaluation was stopped and nothing of it stored (check the weights for NaN or Inf)");
        assertThat(saved).isEmpty();

        Path text = Files.writeString(
                dir.resolve("t.txt"), "Once upon a time there was a cat.\n\nThe dog ran to the park.\n");
        Task ppl = TaskRegistry.create("text_ppl", 1, text);
        assertThatThrownBy(() -> ev.run(ppl, data, model, null))
                .isInstanceOf(NonFiniteScoreException.class)
                .hasMessageStartingWith("text_ppl: item 0 scored a non-finite log-likelihood (NaN) on model ");

        // as the fidelity base, the NaN model is named as such; the healthy model's items are not stored either
        ScoringModel good = ScoringModels.load(TestData.stories260K(), TestData.tok512());
        assertThatThrownBy(() -> ev.run(yesno, data, good, model))
                .isInstanceOf(NonFiniteScoreException.class)
                .hasMessageContaining("(the fidelity base)")
                .hasMessageContaining("item 0");
        assertThat(saved).isEmpty();
    }
}
