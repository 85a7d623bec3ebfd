package dev.llmcw.cluster;

import java.util.stream.Collectors;

/**
 * One shard of a Slurm suite at one moment: which unit, its Slurm array task ({@code 123_4}, the latest
 * attempt's), its state and how many times it was submitted.
 *
 * @param unit  what it does: the model's label and the compression setting or the task
 * @param items the item range of an evaluation shard ("0–20", "20–end"), a compression shard's number ("shard
 *     2/4"), else empty
 */
public record ShardStatus(
        String unitId,
        WorkUnit.Kind kind,
        String unit,
        String items,
        String slurmTask,
        ShardState state,
        int attempts) {

    static ShardStatus of(WorkUnit u, String slurmTask, ShardState state, int attempts) {
        return new ShardStatus(u.id(), u.kind(), what(u), items(u), slurmTask, state, attempts);
    }

    private static String what(WorkUnit u) {
        if (u.kind() == WorkUnit.Kind.EVAL) return u.label() + " · " + u.task();
        String params = u.params() == null || u.params().isEmpty()
                ? ""
                : " "
                        + u.params().entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(" "));
        return u.label() + " · " + u.method() + params;
    }

    private static String items(WorkUnit u) {
        if (u.kind() == WorkUnit.Kind.COMPRESS_PART) return "shard " + (u.from() + 1) + "/" + u.to();
        if (u.kind() != WorkUnit.Kind.EVAL) return "";
        return u.from() + "–" + (u.to() == Integer.MAX_VALUE ? "end" : Integer.toString(u.to()));
    }

    /** "compress", "calibrate", "compress part" or "evaluate", as the Jobs view's column says. */
    public String kindName() {
        return switch (kind) {
            case COMPRESS -> "compress";
            case CALIBRATE -> "calibrate";
            case COMPRESS_PART -> "compress part";
            case EVAL -> "evaluate";
        };
    }
}
