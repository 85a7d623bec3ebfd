package dev.llmcw.tokenizer;

import java.util.Map;

/**
 * The tokens a BPE tokenizer treats apart from its merges, as its loader read them.
 *
 * @param verbatim tokens matched verbatim in the text before BPE (content → id): added tokens, control
 *                 and user-defined tokens
 * @param bos      BOS id, or -1 if the vocabulary has none
 * @param eos      EOS id, or -1 if the vocabulary has none
 * @param unk      the id unknown characters become, or -1 (byte-level BPE has a token for every byte and
 *                 never uses it)
 * @param addBos   whether the tokenizer's own default is to prepend BOS
 */
public record SpecialTokenIds(Map<String, Integer> verbatim, int bos, int eos, int unk, boolean addBos) {}
