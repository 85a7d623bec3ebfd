package dev.llmcw.model;

import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A configuration that declares fewer layers than the file holds would load only the first blocks and
 * evaluate a truncated model without a word; the loaders refuse it instead, naming the first tensor of a
 * block the configuration does not have.
 */
public final class LayerCount {
    private LayerCount() {}

    /**
     * @param canonicalNames every tensor in the file, under its canonical ({@link WeightNames}) name
     * @param countKey       the setting that declares the layer count, for the message
     * @param shown          the name the user knows the tensor by (its name in the file)
     */
    public static void checkNoTensorBeyond(
            Path file, Iterable<String> canonicalNames, int nLayers, String countKey, UnaryOperator<String> shown) {
        for (String name : canonicalNames) {
            String layer = WeightNames.layerOf(name);
            if (layer != null && !isBelow(layer, nLayers)) {
                throw new ModelLoadException(
                        file,
                        "tensor " + shown.apply(name) + " belongs to block " + layer + " but " + countKey + " is "
                                + nLayers + ": the configuration would silently truncate the model");
            }
        }
    }

    private static boolean isBelow(String layer, int n) {
        if (layer.isEmpty() || layer.length() > 9 || !layer.chars().allMatch(Character::isDigit)) return false;
        return Integer.parseInt(layer) < n;
    }
}
