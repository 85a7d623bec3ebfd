package dev.llmcw.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SentencePiece-style BPE with byte fallback (Llama 1/2, TinyLlama, Mistral v0.1, llama2.c stories):
 * a dummy-prefix space is prepended, spaces become "▁", the text starts as one symbol per Unicode
 * character, and adjacent symbols merge best-first, leftmost on ties. The merge order comes either
 * from piece scores (SentencePiece models, GGUF "llama", llama2.c tokenizer.bin — llama.cpp's
 * llm_tokenizer_spm and llama2.c's encode) or from a ranked merges list (Hugging Face tokenizer.json).
 * Characters without a piece become their UTF-8 bytes as {@code <0xNN>} tokens.
 */
public final class SentencePieceBpeTokenizer implements Tokenizer {
    /** SentencePiece / GGUF token types. */
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    static final String SPACE = "\u2581";

    private final String[] pieces;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids;
    private final Map<Long, long[]> merges; // null: merge by score
    private final int[] byteIds = new int[256];
    private final SpecialTokens specials;
    private final int bos, eos, unk;
    private final boolean addBos, addDummyPrefix;
    private final PrefixMode prefixMode;
    private final boolean splitAtEverySpace;
    /** No piece has "▁" right after another character, so no merge crosses a word start (see encodeFragment). */
    private final boolean wordsAreIndependent;

    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 200_000;

    /** Where the "▁" dummy prefix goes. */
    public enum PrefixMode {
        /** No prefix. */
        NONE,
        /** Before every text piece (SentencePiece add_dummy_prefix, llama.cpp, HF Prepend normalizer). */
        ALWAYS,
        /** HF Metaspace prepend_scheme "always": before every text piece that does not start with a space. */
        UNLESS_SPACE,
        /** HF Metaspace prepend_scheme "first": only before text at the very start that does not start with a space. */
        FIRST_UNLESS_SPACE
    }

    /**
     * The pieces and what orders their merges.
     *
     * @param pieces pieces with "▁" for spaces, index = id
     * @param scores merge scores (higher merges first); ignored when {@code merges} is given
     * @param types  token types ({@link #NORMAL} ...); null derives them from the pieces
     * @param merges ranked merges "left right" (Hugging Face), or null to merge by score
     */
    public record Vocabulary(String[] pieces, float[] scores, int[] types, String[] merges) {
        /** Merges by piece scores (SentencePiece models, GGUF "llama", llama2.c tokenizer.bin). */
        public static Vocabulary scored(String[] pieces, float[] scores, int[] types) {
            return new Vocabulary(pieces, scores, types, null);
        }

        /** Merges by a ranked merges list (Hugging Face tokenizer.json). */
        public static Vocabulary ranked(String[] pieces, int[] types, String[] merges) {
            return new Vocabulary(pieces, null, types, merges);
        }
    }

    /** SentencePiece / GGUF / llama2.c behaviour: prefix {@link PrefixMode#ALWAYS} or none. */
    public SentencePieceBpeTokenizer(Vocabulary vocabulary, SpecialTokenIds special, boolean addDummyPrefix) {
        this(vocabulary, special, addDummyPrefix ? PrefixMode.ALWAYS : PrefixMode.NONE, false);
    }

    /**
     * @param special           its verbatim tokens are matched before BPE; unk is what characters
     *                          without a piece or byte piece become
     * @param splitAtEverySpace HF Metaspace split=true: every "▁" starts a new word before BPE
     */
    public SentencePieceBpeTokenizer(
            Vocabulary vocabulary, SpecialTokenIds special, PrefixMode prefixMode, boolean splitAtEverySpace) {
        String[] pieces = vocabulary.pieces();
        float[] scores = vocabulary.scores();
        int[] types = vocabulary.types();
        String[] merges = vocabulary.merges();
        int bos = special.bos(), eos = special.eos(), unk = special.unk();
        this.pieces = pieces;
        this.scores = scores;
        this.types = types != null ? types : deriveTypes(pieces, bos, eos, unk);
        this.ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) ids.putIfAbsent(pieces[i], i);
        Arrays.fill(byteIds, -1);
        for (int i = 0; i < pieces.length; i++) {
            int b = byteValue(pieces[i]);
            if (b >= 0 && (this.types[i] == BYTE || types == null)) byteIds[b] = i;
        }
        if (merges != null) {
            this.merges = new HashMap<>(merges.length * 2);
            for (int r = 0; r < merges.length; r++) {
                String m = merges[r];
                int sp = m.indexOf(' ');
                if (sp < 0) throw new IllegalArgumentException("merge rule #" + r + " has no space: " + m);
                Integer a = ids.get(m.substring(0, sp)),
                        b = ids.get(m.substring(sp + 1)),
                        c = ids.get(m.substring(0, sp) + m.substring(sp + 1));
                if (a != null && b != null && c != null)
                    this.merges.putIfAbsent(((long) a << 32) | (b & 0xFFFFFFFFL), new long[] {r, c});
            }
        } else {
            this.merges = null;
            if (scores == null || scores.length != pieces.length)
                throw new IllegalArgumentException("score-based BPE needs one score per piece");
        }
        this.specials = new SpecialTokens(special.verbatim());
        this.wordsAreIndependent = Arrays.stream(pieces).noneMatch(SentencePieceBpeTokenizer::containsWordStart);
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.addBos = special.addBos();
        this.prefixMode = prefixMode;
        this.addDummyPrefix = prefixMode != PrefixMode.NONE;
        this.splitAtEverySpace = splitAtEverySpace;
    }

    private static boolean containsWordStart(String p) {
        for (int i = 1; i < p.length(); i++) {
            if (p.charAt(i) == SPACE.charAt(0) && p.charAt(i - 1) != SPACE.charAt(0)) return true;
        }
        return false;
    }

    /** 0..255 for a byte piece "<0xNN>", else -1. */
    static int byteValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') return -1;
        try {
            return Integer.parseInt(piece.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int[] deriveTypes(String[] pieces, int bos, int eos, int unk) {
        int[] t = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            t[i] = i == unk ? UNKNOWN : (i == bos || i == eos) ? CONTROL : byteValue(pieces[i]) >= 0 ? BYTE : NORMAL;
        }
        return t;
    }

    @Override
    public int[] encode(String text) {
        var out = new IntList();
        boolean[] atStart = {true};
        specials.split(
                text,
                piece -> {
                    // Every text piece is either at the start or right after a special token: llama.cpp and
                    // SentencePiece put the dummy prefix before each; HF Metaspace only where no space is already.
                    boolean prefix = switch (prefixMode) {
                        case NONE -> false;
                        case ALWAYS -> true;
                        case UNLESS_SPACE -> !piece.startsWith(" ");
                        case FIRST_UNLESS_SPACE -> atStart[0] && !piece.startsWith(" ");
                    };
                    atStart[0] = false;
                    encodeFragment((prefix ? " " + piece : piece).replace(" ", SPACE), out);
                },
                id -> {
                    out.add(id);
                    atStart[0] = false;
                });
        return out.toArray();
    }

    /**
     * When no piece contains a word start ("▁" after another character), a merge can never join two
     * words, so each word ("▁"-run + text up to the next word start) merges independently and its
     * result can be cached, which makes repeated text nearly free. Otherwise the fragment is merged whole.
     */
    private void encodeFragment(String s, IntList out) {
        if (!wordsAreIndependent && !splitAtEverySpace) {
            out.addAll(mergeWord(s));
            return;
        }
        int start = 0;
        for (int i = 1; i <= s.length(); i++) {
            if (i == s.length()
                    || (s.charAt(i) == SPACE.charAt(0) && (splitAtEverySpace || s.charAt(i - 1) != SPACE.charAt(0)))) {
                String word = s.substring(start, i);
                int[] ids = cache.get(word);
                if (ids == null) {
                    ids = mergeWord(word);
                    if (cache.size() > CACHE_LIMIT) cache.clear();
                    cache.put(word, ids);
                }
                out.addAll(ids);
                start = i;
            }
        }
    }

    private int[] mergeWord(String s) {
        var sym = new IntList();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            Integer id = ids.get(s.substring(i, i + len));
            if (id != null) {
                sym.add(id);
            } else {
                for (byte b : s.substring(i, i + len).getBytes(StandardCharsets.UTF_8)) {
                    int bid = byteIds[b & 0xFF];
                    sym.add(bid >= 0 ? bid : unk);
                }
            }
            i += len;
        }
        return BpeMerge.run(sym.toArray(), merges != null ? this::mergeByRank : this::mergeByScore);
    }

    private int mergeByScore(int a, int b, double[] prio) {
        if (types[a] == BYTE || types[b] == BYTE) return -1;
        Integer c = ids.get(pieces[a] + pieces[b]);
        if (c == null) return -1;
        prio[0] = -scores[c];
        return c;
    }

    private int mergeByRank(int a, int b, double[] prio) {
        long[] m = merges.get(((long) a << 32) | (b & 0xFFFFFFFFL));
        if (m == null) return -1;
        prio[0] = m[0];
        return (int) m[1];
    }

    @Override
    public String decode(int[] tokenIds) {
        var bytes = new ByteArrayOutputStream();
        for (int id : tokenIds) {
            if (id < 0 || id >= pieces.length) continue;
            int t = types[id];
            if (t == CONTROL || t == UNUSED) continue;
            if (t == BYTE) {
                bytes.write(byteValue(pieces[id]));
            } else {
                bytes.writeBytes(pieces[id].replace(SPACE, " ").getBytes(StandardCharsets.UTF_8));
            }
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        // SentencePiece drops the dummy-prefix space again.
        return addDummyPrefix && s.startsWith(" ") ? s.substring(1) : s;
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public boolean addsBosByDefault() {
        return addBos && bos >= 0;
    }

    public String piece(int id) {
        return pieces[id];
    }

    public float score(int id) {
        return scores == null ? 0f : scores[id];
    }

    public int type(int id) {
        return types[id];
    }

    /** Whether merges follow piece scores (SentencePiece, GGUF, llama2.c) rather than a ranked merges list. */
    public boolean mergesByScore() {
        return merges == null;
    }

    public int unkId() {
        return unk;
    }

    public boolean addsDummyPrefix() {
        return addDummyPrefix;
    }
}
