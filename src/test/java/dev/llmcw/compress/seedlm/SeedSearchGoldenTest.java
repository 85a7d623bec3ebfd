package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.util.Json;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Java search vs the numpy reference (tools/reference/seedlm_ref.py): identical seeds, exponents and codes. */
class SeedSearchGoldenTest {
    @ParameterizedTest
    @ValueSource(
            strings = {"search_K10_C8_P3_range.json", "search_K12_C12_P4_range.json", "search_K12_C8_P3_printed.json"})
    void matchesNumpyReference(String file) throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/golden/seedlm/" + file)) {
            root = Json.MAPPER.readTree(in);
        }
        var cfg = new SeedLmConfig(
                root.get("C").asInt(),
                root.get("P").asInt(),
                root.get("K").asInt(),
                ExponentRule.parse(root.get("exponent_rule").asText()),
                false);
        SeedSearch s = new SeedSearch(cfg);
        for (JsonNode b : root.get("blocks")) {
            float[] w = new float[cfg.c()];
            for (int i = 0; i < w.length; i++)
                w[i] = (float) b.get("block").get(i).asDouble();
            var r = s.searchOne(w);
            assertThat(r.seed()).as(file).isEqualTo(b.get("seed").asInt());
            assertThat(r.offset()).isEqualTo(b.get("offset").asInt());
            assertThat(r.exponent()).isEqualTo(b.get("exponent").asInt());
            for (int i = 0; i < cfg.p(); i++)
                assertThat(r.codes()[i]).isEqualTo(b.get("codes").get(i).asInt());
            assertThat(r.error()).isCloseTo(b.get("error").asDouble(), within(1e-12 * (1 + r.error())));
        }
    }
}
