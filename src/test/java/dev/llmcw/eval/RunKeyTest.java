package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.tasks.PiqaTask;
import dev.llmcw.util.Hashing;
import org.junit.jupiter.api.Test;

/**
 * Item-store keys: the first N (--limit) and a random N (--sample) are different runs, and the keys of
 * full runs and of random subsets are those the workbench used before --sample existed (then "limit"
 * was the random subset), so their stored items are found by resumed and reused runs.
 */
class RunKeyTest {
    private static String oldKey(int randomLimit, long seed) {
        String canonical = "model=m\ntask=piqa\nversion=1.0\ndata=d\nbos=AUTO\nmax_length=512\nlimit=" + randomLimit
                + "\nseed=" + seed + "\nfidelity=off";
        return "piqa@1.0/" + Hashing.sha256(canonical).substring(0, 32);
    }

    private static String key(EvalOptions o) {
        return RunKey.of("m", new PiqaTask(), "d", o, 512, null);
    }

    @Test
    void fullRunsAndSamplesKeepTheirOldKeysAndFirstNIsAnotherRun() {
        EvalOptions o = EvalOptions.defaults().withSeed(7);
        assertThat(key(o)).isEqualTo(oldKey(0, 7));
        assertThat(key(o.withSample(50))).isEqualTo(oldKey(50, 7));
        assertThat(key(o.withLimit(50)))
                .isNotEqualTo(oldKey(50, 7))
                .isNotEqualTo(oldKey(0, 7))
                .isNotEqualTo(key(o.withLimit(51)));
        assertThat(key(o.withSample(50).withSeed(8))).isNotEqualTo(key(o.withSample(50)));
    }
}
