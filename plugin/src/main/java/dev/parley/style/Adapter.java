package dev.parley.style;

import dev.parley.util.AssetFormatException;
import dev.parley.util.Sha256;
import dev.parley.util.Validate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An expression adapter ({@code *.adapter}, docs/adapters.md): the low-rank factors fitted to one
 * performer's take for one model pack. Immutable; read by {@link AdapterLoader}.
 *
 * <p>The factor matrix F [R, S] holds, per row and for each adapted layer in the file's target order, the
 * layer's down factor (its input width) then its up factor (its output width), the learnt gates folded in.
 * The runtime merges it into the pack's denoiser weights, W + B^T A per layer ({@code ParleyPack#adaptedDenoiser}).
 */
public final class Adapter {

    /**
     * One adapted linear layer and its columns in a factor row.
     *
     * @param name the layer's module path in the denoiser, e.g. {@code blocks.0.self_attn.q} (not null)
     * @param in its input width: the down factor's columns start at {@code offset}
     * @param out its output width: the up factor's columns start at {@code offset + in}
     * @param offset where the layer's columns start in a factor row
     */
    public record Target(String name, int in, int out, int offset) {

        /**
         * Checks the values (each as described in the record comment).
         *
         * @param name see {@link #name()}
         * @param in see {@link #in()}
         * @param out see {@link #out()}
         * @param offset see {@link #offset()}
         */
        public Target {
            Validate.nonNull(name, "name");
            Validate.inRange(in, 1, Integer.MAX_VALUE, "in");
            Validate.inRange(out, 1, Integer.MAX_VALUE, "out");
            Validate.inRange(offset, 0, Integer.MAX_VALUE, "offset");
        }
    }

    private final String source;
    private final String packId;
    private final String packVersion;
    private final String denoiserSha256;
    private final int[] ranks;
    private final int rowWidth;
    private final List<Target> targets;
    private final float[] factors;
    private final float[] style;
    private final String id;

    /**
     * @param source the file name, for messages (not null)
     * @param packId the id of the pack it was fitted for (not null)
     * @param packVersion that pack's version (not null)
     * @param denoiserSha256 the SHA-256 of that pack's denoiser graph, lower-case hex (not null)
     * @param ranks the ranks mixed (not null, positive values, copied)
     * @param rowWidth S, the length of a factor row (&gt;0)
     * @param targets the adapted layers in row order, tiling a row (not null, copied)
     * @param factors F row-major, sum(ranks) * rowWidth finite values (not null, copied)
     * @param style the take's style embedding, or null if the file has none (copied)
     */
    public Adapter(String source, String packId, String packVersion, String denoiserSha256, int[] ranks,
            int rowWidth, List<Target> targets, float[] factors, float[] style) {
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
        this.targets = List.copyOf(Validate.nonNull(targets, "targets"));
        long end = 0;
        for (Target t : this.targets) {
            if (t.offset() != end) {
                throw new IllegalArgumentException("target " + t.name() + " starts at " + t.offset() + ", not " + end);
            }
            end += (long) t.in() + t.out();
        }
        if (end != rowWidth) {
            throw new IllegalArgumentException("targets end at " + end + ", not at rowWidth " + rowWidth);
        }
        Validate.nonNull(factors, "factors");
        if (factors.length != total * rowWidth) {
            throw new IllegalArgumentException("factors must hold " + total + " x " + rowWidth + " values but has "
                    + factors.length);
        }
        this.factors = factors.clone();
        this.style = style == null ? null : style.clone();
        byte[] layers = this.targets.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(4 * this.factors.length + layers.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(this.factors);
        bytes.position(4 * this.factors.length);
        bytes.put(layers);
        this.id = Sha256.hex(bytes.array());
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

    /** @return the adapted layers in row order (not null, unmodifiable) */
    public List<Target> targets() {
        return targets;
    }

    /**
     * @return the SHA-256 of the factors (float32 little-endian) and the targets, lower-case hex: adapters with
     *     equal factors and targets share one merged denoiser (not null)
     */
    public String id() {
        return id;
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
