package dev.llmcw.model;

/**
 * How rotary embeddings pair the dimensions of a head. llama2.c checkpoints and llama GGUF files use
 * interleaved pairs (2i, 2i+1); Hugging Face checkpoints use rotate-half pairs (i, i + headDim/2).
 */
public enum RopeLayout {
    INTERLEAVED,
    ROTATE_HALF
}
