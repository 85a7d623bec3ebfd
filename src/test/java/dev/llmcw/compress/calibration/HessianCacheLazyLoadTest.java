package dev.llmcw.compress.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.model.WeightNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statistics from the cache are read a group at a time, when a tensor first asks for them: a cluster shard of
 * some layers reads only theirs (for a 7B model each layer's four H are about 1.4 GB of doubles), with the very
 * numbers an eager read gives.
 */
class HessianCacheLazyLoadTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheGroupsOfTheTensorsAskedForAreRead() throws Exception {
        Map<String, HessianAccumulator> groups = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++)
            for (String g : HessianSet.GROUPS) {
                var a = new HessianAccumulator(2);
                a.add(new float[] {layer + 1, 2, -3, g.length()}, 0, 2);
                groups.put(layer + "." + g, a);
            }
        var cache = new HessianCache(dir);
        cache.save("k", new HessianSet(groups, "test"));

        HessianSet back = cache.load("k");
        assertThat(back.loadedGroups()).isEmpty();
        assertThat(back.hasAbsSums()).isTrue();
        // layer 1 only: layer 0's files may even be gone
        for (String g : HessianSet.GROUPS) Files.delete(dir.resolve("k").resolve("0." + g + ".h"));
        var h = back.forWeight(WeightNames.q(1));
        assertThat(h.rawSum()).containsExactly(groups.get("1.attn_in").rawSum());
        assertThat(h.count()).isEqualTo(2);
        assertThat(back.forWeight(WeightNames.down(1)).rawSum())
                .containsExactly(groups.get("1.mlp_out").rawSum());
        assertThat(back.loadedGroups()).isEqualTo(Set.of("1.attn_in", "1.mlp_out"));
    }
}
