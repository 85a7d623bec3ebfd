package dev.llmcw.engine.train;

import dev.llmcw.model.WeightNames;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which RMSNorm weight vectors the training path turns into trainable {@link Parameter}s (named by their
 * weight names: {@link WeightNames#attnNorm}, {@link WeightNames#ffnNorm}, {@link WeightNames#FINAL_NORM});
 * the others stay as the model has them. A trainable norm starts from a copy of the model's values.
 */
public final class TrainableNorms {
    private static final TrainableNorms NONE = new TrainableNorms(name -> false, Set.of());
    private static final TrainableNorms ALL = new TrainableNorms(name -> true, Set.of());

    private final Predicate<String> trainable;
    /** The names given to {@link #only}, which the model checks against its norms (a typo must not pass silently). */
    private final Set<String> named;

    private TrainableNorms(Predicate<String> trainable, Set<String> named) {
        this.trainable = trainable;
        this.named = named;
    }

    /** Every norm frozen (the default). */
    public static TrainableNorms none() {
        return NONE;
    }

    /** Every layer's attention and MLP norm, and the final norm. */
    public static TrainableNorms all() {
        return ALL;
    }

    /** Exactly the norms of these weight names. */
    public static TrainableNorms only(Set<String> weightNames) {
        Set<String> names = Set.copyOf(weightNames);
        return new TrainableNorms(names::contains, names);
    }

    Set<String> named() {
        return named;
    }

    public boolean isTrainable(String weightName) {
        return trainable.test(weightName);
    }
}
