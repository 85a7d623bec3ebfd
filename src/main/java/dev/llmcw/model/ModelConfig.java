package dev.llmcw.model;

/**
 * Hyper-parameters of a Llama-family decoder (Llama 2/3, Mistral, Qwen2, SmolLM).
 *
 * @param architecture   model_type as in config.json: "llama", "mistral", "qwen2"
 * @param dim            hidden size
 * @param hiddenDim      MLP intermediate size
 * @param headDim        per-head dimension (usually dim / nHeads)
 * @param maxSeqLen      context length the model was trained for
 * @param ropeScaling    llama3 scaling or null
 * @param tiedEmbeddings classifier shares the token embedding
 * @param attentionBias  q/k/v projections have biases (Qwen2)
 */
public record ModelConfig(
        String architecture,
        int dim,
        int hiddenDim,
        int nLayers,
        int nHeads,
        int nKvHeads,
        int headDim,
        int vocabSize,
        int maxSeqLen,
        float rmsEps,
        float ropeTheta,
        RopeLayout ropeLayout,
        RopeScaling ropeScaling,
        boolean tiedEmbeddings,
        boolean attentionBias) {

    public ModelConfig {
        if (dim <= 0
                || hiddenDim <= 0
                || nLayers <= 0
                || nHeads <= 0
                || nKvHeads <= 0
                || headDim <= 0
                || vocabSize <= 0) {
            throw new IllegalArgumentException("model dimensions must be positive: " + this);
        }
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("n_heads " + nHeads + " is not a multiple of n_kv_heads " + nKvHeads);
        }
    }

    public int kvDim() {
        return nKvHeads * headDim;
    }

    public int qDim() {
        return nHeads * headDim;
    }

    /** Parameter count of the weights (embedding, blocks, norms, classifier if untied). */
    public long parameterCount() {
        long perLayer = (long) dim * qDim()
                + 2L * dim * kvDim()
                + (long) qDim() * dim
                + 3L * dim * hiddenDim
                + 2L * dim
                + (attentionBias ? qDim() + 2L * kvDim() : 0);
        return (long) vocabSize * dim * (tiedEmbeddings ? 1 : 2) + nLayers * perLayer + dim;
    }
}
