package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSpecTest {
    private final RunSpec base = new RunSpec(
            "/m/stories.bin",
            null,
            "hash1",
            "seedlm",
            Map.of("C", "8", "K", "16"),
            List.of("piqa", "hellaswag"),
            new RunSpec.Options(100, 7L, false, 512, null, null, null, Map.of()));

    @Test
    void jsonRoundTrip() {
        String json = base.toJson();
        RunSpec back = RunSpec.fromJson(json);
        assertThat(back).isEqualTo(base);
        assertThat(back.modelLabel()).isEqualTo("stories");
        assertThat(back.options().codePath()).isEqualTo("dense");
        assertThat(RunSpec.fromJson("{\"modelPath\":\"x.gguf\",\"tasks\":[\"piqa\"]}")
                        .isBaseModel())
                .isTrue();
    }

    @Test
    void cacheKeyChangesWithEverythingThatChangesNumbers() {
        String k = base.cacheKey("piqa", "1");
        assertThat(k).startsWith("piqa:");
        assertThat(base.cacheKey("piqa", "1")).isEqualTo(k);
        var o = base.options();
        List<RunSpec> variants = List.of(
                new RunSpec(base.modelPath(), null, "hash2", base.method(), base.methodParams(), base.tasks(), o),
                new RunSpec(base.modelPath(), null, "hash1", "caldera", base.methodParams(), base.tasks(), o),
                new RunSpec(
                        base.modelPath(), null, "hash1", base.method(), Map.of("C", "8", "K", "8"), base.tasks(), o),
                base.withOptions(new RunSpec.Options(100, 8L, false, 512, null, null, null, Map.of())),
                base.withOptions(new RunSpec.Options(100, 7L, true, 512, null, null, null, Map.of())),
                base.withOptions(new RunSpec.Options(100, 7L, null, 512, null, null, null, Map.of())),
                base.withOptions(new RunSpec.Options(100, 7L, false, 256, null, null, null, Map.of())),
                base.withOptions(new RunSpec.Options(100, 7L, false, 512, "/b.bin", "bh", null, Map.of())),
                base.withOptions(new RunSpec.Options(100, 7L, false, 512, null, null, "on-the-fly", Map.of())),
                base.withOptions(new RunSpec.Options(100, 7L, false, 512, null, null, null, Map.of("template", "v2"))));
        for (RunSpec v : variants)
            assertThat(v.cacheKey("piqa", "1")).as(v.toString()).isNotEqualTo(k);
        assertThat(base.cacheKey("piqa", "2")).isNotEqualTo(k);
        assertThat(base.cacheKey("hellaswag", "1")).isNotEqualTo(k);
        assertThat(base.cacheKey("piqa", "1", "datahash"))
                .isNotEqualTo(k)
                .isNotEqualTo(base.cacheKey("piqa", "1", "other"));
        // path, label and limit do not change item results
        assertThat(new RunSpec(
                                "/elsewhere/copy.bin",
                                "other",
                                "hash1",
                                "seedlm",
                                Map.of("K", "16", "C", "8"),
                                List.of("piqa"),
                                o.withLimit(null))
                        .cacheKey("piqa", "1"))
                .isEqualTo(k);
    }

    @Test
    void cacheKeyNeedsHashes() {
        var noHash = new RunSpec("/m.bin", null, null, null, null, List.of("piqa"), null);
        assertThatThrownBy(() -> noHash.cacheKey("piqa", "1"))
                .hasMessageContaining("/m.bin")
                .hasMessageContaining("content hash");
        var noBaseHash = base.withOptions(base.options().withFidelityBase("/b.bin", null));
        assertThatThrownBy(() -> noBaseHash.cacheKey("piqa", "1")).hasMessageContaining("/b.bin");
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RunSpec(" ", null, null, null, null, null, null))
                .hasMessageContaining("model path");
        assertThatThrownBy(() -> RunSpec.Options.defaults().withLimit(0)).hasMessageContaining("limit");
        assertThatThrownBy(() -> RunSpec.fromJson("{not json")).isInstanceOf(IllegalArgumentException.class);
    }
}
