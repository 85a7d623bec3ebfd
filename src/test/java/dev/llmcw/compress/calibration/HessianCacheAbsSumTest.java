package dev.llmcw.compress.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Σ|x| per channel (AWQ) travels with the Hessian through the cache; caches written before it still load. */
class HessianCacheAbsSumTest {
    @TempDir
    Path dir;

    private static HessianSet set() {
        var a = new HessianAccumulator(3);
        a.add(new float[] {1, -2, 0, -3, 4, 0.5f}, 0, 2);
        return new HessianSet(Map.of("0.attn_in", a), "test, 2 × 1 tokens");
    }

    @Test
    void absSumsRoundTripAndAreTheMeanAbsoluteInputs() throws Exception {
        var cache = new HessianCache(dir);
        cache.save("k", set());
        HessianSet back = cache.load("k");
        assertThat(back.hasAbsSums()).isTrue();
        assertThat(back.groups().get("0.attn_in").meanAbs()).containsExactly(2.0, 3.0, 0.25);
        assertThat(back.groups().get("0.attn_in").mean().get(0, 1)).isEqualTo((1 * -2 + -3 * 4) / 2.0);
    }

    @Test
    void aCacheWithoutAbsSumsLoadsWithoutThem() throws Exception {
        var cache = new HessianCache(dir);
        cache.save("k", set());
        Files.delete(dir.resolve("k").resolve("0.attn_in.abs"));
        HessianSet back = cache.load("k");
        assertThat(back.hasAbsSums()).isFalse();
        assertThatThrownBy(() -> back.groups().get("0.attn_in").meanAbs())
                .hasMessage("these statistics hold no Σ|x| per channel");
        assertThatThrownBy(() -> CalibrationSpec.precomputed(back).obtain(null, null, null, true))
                .hasMessageContaining("hold no mean |x| per channel");
    }

    @Test
    void aDamagedAbsSumFileIsNamed() throws Exception {
        var cache = new HessianCache(dir);
        cache.save("k", set());
        Path abs = dir.resolve("k").resolve("0.attn_in.abs");
        Files.write(abs, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> cache.load("k")).hasMessageStartingWith(abs + ": not a Σ|x| cache file");
    }
}
