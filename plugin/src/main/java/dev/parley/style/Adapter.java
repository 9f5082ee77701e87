package dev.parley.style;

import dev.parley.util.AssetFormatException;
import dev.parley.util.Validate;

/**
 * An expression adapter ({@code *.adapter}, docs/adapters.md): the low-rank factors fitted to one
 * performer's take for one model pack. Immutable; read by {@link AdapterLoader}.
 *
 * <p>The factor matrix F [R, S] holds, per row and for each adapted layer in the file's target order, the
 * layer's down factor (its input width) then its up factor (its output width), the learnt gates folded in.
 * The adapted step graph takes it per batch row ({@code adapters} [K, R, S], {@code adapter_index} [B]).
 */
public final class Adapter {

    private final String source;
    private final String packId;
    private final String packVersion;
    private final String denoiserSha256;
    private final int[] ranks;
    private final int rowWidth;
    private final float[] factors;
    private final float[] style;

    /**
     * @param source the file name, for messages (not null)
     * @param packId the id of the pack it was fitted for (not null)
     * @param packVersion that pack's version (not null)
     * @param denoiserSha256 the SHA-256 of that pack's denoiser graph, lower-case hex (not null)
     * @param ranks the ranks mixed (not null, positive values, copied)
     * @param rowWidth S, the length of a factor row (&gt;0)
     * @param factors F row-major, sum(ranks) * rowWidth finite values (not null, copied)
     * @param style the take's style embedding, or null if the file has none (copied)
     */
    public Adapter(String source, String packId, String packVersion, String denoiserSha256, int[] ranks,
            int rowWidth, float[] factors, float[] style) {
        this.source = Validate.nonNull(source, "source");
        this.packId = Validate.nonNull(packId, "packId");
        this.packVersion = Validate.nonNull(packVersion, "packVersion");
        this.denoiserSha256 = Validate.nonNull(denoiserSha256, "denoiserSha256");
        Validate.nonNull(ranks, "ranks");
        int total = 0;
        for (int r : ranks) {
            Validate.inRange(r, 1, Integer.MAX_VALUE, "rank");
            total += r;
        }
        this.ranks = ranks.clone();
        this.rowWidth = Validate.inRange(rowWidth, 1, Integer.MAX_VALUE, "rowWidth");
        Validate.nonNull(factors, "factors");
        if (factors.length != total * rowWidth) {
            throw new IllegalArgumentException("factors must hold " + total + " x " + rowWidth + " values but has "
                    + factors.length);
        }
        this.factors = factors.clone();
        this.style = style == null ? null : style.clone();
    }

    /** @return the file name used in messages (not null) */
    public String source() {
        return source;
    }

    /** @return the id of the pack the adapter was fitted for (not null) */
    public String packId() {
        return packId;
    }

    /** @return the version of that pack (not null) */
    public String packVersion() {
        return packVersion;
    }

    /** @return the SHA-256 of that pack's denoiser graph (not null) */
    public String denoiserSha256() {
        return denoiserSha256;
    }

    /** @return a new array of the ranks mixed */
    public int[] ranks() {
        return ranks.clone();
    }

    /** @return R, the sum of the ranks: the rows of the factor matrix */
    public int totalRank() {
        return factors.length / rowWidth;
    }

    /** @return S, the length of a factor row */
    public int rowWidth() {
        return rowWidth;
    }

    /** @return a new array of F [R, S], row-major */
    public float[] factors() {
        return factors.clone();
    }

    /** @return a new array of the take's style embedding, or null if the file has none */
    public float[] style() {
        return style == null ? null : style.clone();
    }

    /**
     * Checks that the adapter was fitted for a pack: its id, version and denoiser graph.
     *
     * @param id the pack's id (not null)
     * @param version the pack's version (not null)
     * @param sha256 the SHA-256 of the pack's denoiser graph, as its manifest's {@code checksums} (not null)
     * @throws AssetFormatException naming the file and the field that differs
     */
    public void checkPack(String id, String version, String sha256) {
        check("pack.id", id, packId);
        check("pack.packVersion", version, packVersion);
        check("pack.denoiserSha256", sha256, denoiserSha256);
    }

    private void check(String field, String expected, String got) {
        if (!Validate.nonNull(expected, field).equals(got)) {
            throw new AssetFormatException(source, field, "expected '" + expected + "' but got '" + got
                    + "': refit the adapter for this pack (python3 -m parley adapt)");
        }
    }
}
