package dev.llmcw.model;

/** Llama 3.x "llama3" rope_scaling parameters (null in configs that do not scale). */
public record RopeScaling(
        double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {}
