package dev.llmcw.report;

/**
 * Reconstruction error of one compressed tensor, as a compression report records it.
 *
 * @param relativeError           ‖W−Ŵ‖/‖W‖
 * @param relativeActivationError activation-weighted error (NaN for data-free methods)
 */
public record LayerError(String method, String tensor, double relativeError, double relativeActivationError) {

    /** Block index parsed from a canonical tensor name ("model.layers.3.mlp.up_proj.weight" → 3), -1 if none. */
    public int layerIndex() {
        int i = tensor.indexOf("layers.");
        if (i < 0) return -1;
        int j = i + "layers.".length();
        int k = j;
        while (k < tensor.length() && Character.isDigit(tensor.charAt(k))) k++;
        return k == j ? -1 : Integer.parseInt(tensor.substring(j, k));
    }
}
