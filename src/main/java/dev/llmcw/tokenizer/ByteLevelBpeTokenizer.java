package dev.llmcw.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE (GPT-2, GPT-NeoX, Llama 3, Qwen2): special tokens are split off first, the rest is
 * cut into words by the pre-tokenizer regex, each word's UTF-8 bytes are mapped to GPT-2's printable
 * byte alphabet, and merges are applied by rank. Results are cached per word, since natural text
 * repeats words constantly (HellaSwag's 40k contexts+endings tokenize in well under a second).
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    /** GPT-2's pre-tokenizer (also Hugging Face's ByteLevel use_regex=true). */
    public static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's pre-tokenizer (GGUF pre "llama-bpe"). */
    public static final String LLAMA3_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's pre-tokenizer: Llama 3's with single digits. */
    public static final String QWEN2_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final int CACHE_LIMIT = 200_000;
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        // GPT-2 bytes_to_unicode: printable Latin-1 bytes map to themselves, the rest to 256+n.
        Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private final String[] tokens;
    private final String[] mergeRules;
    private final List<String> regexes;
    private final Map<String, Integer> ids;
    private final Map<Long, long[]> merges; // (left<<32|right) -> {rank, merged id}
    private final int[] byteIds = new int[256];
    private final List<Pattern> splitters;
    private final boolean addPrefixSpace;
    private final boolean ignoreMerges;
    private final Normalizer.Form normalization;
    private final SpecialTokens specials;
    private final boolean[] skipOnDecode;
    private final int bos, eos;
    private final boolean addBos;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * What happens to the text before BPE.
     *
     * @param regexes        pre-tokenizer regexes applied in turn, each splitting the pieces of the previous
     *                       one into its matches and the gaps between them (Hugging Face Split "Isolated",
     *                       llama.cpp's regex_exprs); empty treats the whole text as one word
     * @param addPrefixSpace prepend a space to each text piece that does not start with one (HF ByteLevel option)
     * @param ignoreMerges   a word that is itself a token is taken whole (Llama 3's ignore_merges)
     * @param normalization  Unicode normalisation of the text before splitting (Qwen2: NFC), or null
     */
    public record PreTokenizer(
            List<String> regexes, boolean addPrefixSpace, boolean ignoreMerges, Normalizer.Form normalization) {
        public PreTokenizer {
            regexes = List.copyOf(regexes);
        }

        /** One regex (or null: none), no normalisation, merges always applied. */
        public static PreTokenizer regex(String regex, boolean addPrefixSpace) {
            return new PreTokenizer(regex == null ? List.of() : List.of(regex), addPrefixSpace, false, null);
        }
    }

    /**
     * @param tokens       token strings in the byte-unicode alphabet, index = id
     * @param merges       merge rules "left right", in rank order
     * @param special      its verbatim tokens are matched before BPE; unk is not used
     * @param skipOnDecode ids whose text decode() leaves out (control tokens), may be null
     */
    public ByteLevelBpeTokenizer(
            String[] tokens,
            String[] merges,
            PreTokenizer preTokenizer,
            SpecialTokenIds special,
            boolean[] skipOnDecode) {
        this.tokens = tokens;
        this.mergeRules = merges;
        this.regexes = preTokenizer.regexes();
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) ids.putIfAbsent(tokens[i], i);
        this.merges = new HashMap<>(merges.length * 2);
        for (int r = 0; r < merges.length; r++) {
            String m = merges[r];
            // Tokens never contain a raw space (GPT-2 writes it as "Ġ", SentencePiece as "▁"), so the
            // first space separates the pair.
            int sp = m.indexOf(' ');
            if (sp < 0) throw new IllegalArgumentException("merge rule #" + r + " has no space: " + m);
            Integer a = ids.get(m.substring(0, sp)),
                    b = ids.get(m.substring(sp + 1)),
                    c = ids.get(m.substring(0, sp) + m.substring(sp + 1));
            if (a == null || b == null || c == null) continue; // rules for tokens outside the vocabulary never fire
            this.merges.putIfAbsent(((long) a << 32) | (b & 0xFFFFFFFFL), new long[] {r, c});
        }
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(BYTE_TO_CHAR[b]));
            byteIds[b] = id == null ? -1 : id;
        }
        this.splitters = this.regexes.stream()
                .map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS))
                .toList();
        this.addPrefixSpace = preTokenizer.addPrefixSpace();
        this.ignoreMerges = preTokenizer.ignoreMerges();
        this.normalization = preTokenizer.normalization();
        this.specials = new SpecialTokens(special.verbatim());
        this.skipOnDecode = skipOnDecode;
        this.bos = special.bos();
        this.eos = special.eos();
        this.addBos = special.addBos();
    }

    public static String byteToUnicode(int b) {
        return String.valueOf(BYTE_TO_CHAR[b & 0xFF]);
    }

    @Override
    public int[] encode(String text) {
        var out = new IntList();
        specials.split(
                text,
                piece -> {
                    String s = normalization == null ? piece : Normalizer.normalize(piece, normalization);
                    // Like Hugging Face's ByteLevel: every text piece between added tokens gets the prefix space.
                    if (addPrefixSpace && !s.startsWith(" ")) s = " " + s;
                    split(s, 0, out);
                },
                out::add);
        return out.toArray();
    }

    /** Splits s with the level-th regex (matches and the gaps between them) and recurses; BPE at the leaves. */
    private void split(String s, int level, IntList out) {
        if (level == splitters.size()) {
            encodeWord(s, out);
            return;
        }
        Matcher m = splitters.get(level).matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.end() == m.start()) continue;
            if (m.start() > last) split(s.substring(last, m.start()), level + 1, out);
            split(m.group(), level + 1, out);
            last = m.end();
        }
        if (last < s.length()) split(s.substring(last), level + 1, out);
    }

    private void encodeWord(String word, IntList out) {
        int[] cached = cache.get(word);
        if (cached == null) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            if (ignoreMerges) {
                var sb = new StringBuilder(bytes.length);
                for (byte b : bytes) sb.append(BYTE_TO_CHAR[b & 0xFF]);
                Integer whole = ids.get(sb.toString());
                if (whole != null) {
                    out.add(whole);
                    return; // not cached: a single lookup is as cheap as the cache
                }
            }
            int[] sym = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                sym[i] = byteIds[bytes[i] & 0xFF];
                if (sym[i] < 0)
                    throw new IllegalStateException("vocabulary has no token for byte " + (bytes[i] & 0xFF));
            }
            cached = BpeMerge.run(sym, (a, b, prio) -> {
                long[] m = merges.get(((long) a << 32) | (b & 0xFFFFFFFFL));
                if (m == null) return -1;
                prio[0] = m[0];
                return (int) m[1];
            });
            if (cache.size() > CACHE_LIMIT) cache.clear();
            cache.put(word, cached);
        }
        out.addAll(cached);
    }

    @Override
    public String decode(int[] ids) {
        var bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= tokens.length) continue;
            if (skipOnDecode != null && skipOnDecode[id]) continue;
            // Added tokens such as "<|endoftext|>" are plain ASCII, which the byte alphabet maps to itself;
            // characters outside the alphabet (in some added tokens) are taken as text.
            String t = tokens[id];
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
                if (b >= 0) {
                    bytes.write(b);
                } else {
                    bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
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
        return tokens.length;
    }

    @Override
    public boolean addsBosByDefault() {
        return addBos && bos >= 0;
    }

    public String token(int id) {
        return tokens[id];
    }

    /** The merge rules "left right" in rank order, as given. */
    public String[] merges() {
        return mergeRules.clone();
    }

    /** The pre-tokenizer regexes, applied in turn. */
    public List<String> preTokenizerRegexes() {
        return regexes;
    }

    public boolean ignoresMerges() {
        return ignoreMerges;
    }

    /** Unicode normalisation applied before splitting, or null. */
    public Normalizer.Form normalization() {
        return normalization;
    }

    /** Content → id of the tokens matched before BPE. */
    public Map<String, Integer> specialTokens() {
        return specials.ids();
    }

    /** Whether decode() leaves the token out (control tokens). */
    public boolean isControl(int id) {
        return skipOnDecode != null && skipOnDecode[id];
    }

    public Integer id(String token) {
        return ids.get(token);
    }
}
