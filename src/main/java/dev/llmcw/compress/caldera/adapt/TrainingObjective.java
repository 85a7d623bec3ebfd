package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.engine.train.LlamaTrainingModel;
import dev.llmcw.engine.train.Parameter;
import java.util.List;

/** What {@link FineTuner} minimises: a loss per token block, its gradients, and the parameters it trains. */
public interface TrainingObjective {
    /** The mean next-token loss of one block, without gradients. */
    double loss(int[] tokens);

    /** The same loss; adds its gradients into the parameters' grads. */
    double lossAndGradients(int[] tokens);

    List<Parameter> parameters();

    static TrainingObjective of(LlamaTrainingModel model) {
        return of(model, model.parameters());
    }

    /** The model's loss, training only {@code trained} (a subset of its parameters; the others get no update). */
    static TrainingObjective of(LlamaTrainingModel model, List<Parameter> trained) {
        List<Parameter> ps = List.copyOf(trained);
        return new TrainingObjective() {
            @Override
            public double loss(int[] tokens) {
                return model.loss(tokens);
            }

            @Override
            public double lossAndGradients(int[] tokens) {
                return model.lossAndGradients(tokens);
            }

            @Override
            public List<Parameter> parameters() {
                return ps;
            }
        };
    }
}
